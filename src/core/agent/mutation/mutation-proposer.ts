// The offline proposer: no LLM. It perturbs one or two numeric constants of the editable files, never
// repeats a change already tried from the same base, and keeps going in a direction that was kept before.
// It is the default when no API key is set, and the baseline an LLM agent has to beat.
import type { Proposal, Proposer, ProposalContext } from '../proposer.js';
import { findConstants, replaceConstant, type NumericConstant } from './find-constants.js';
import { mutationsOf, type Mutation } from './mutations.js';

/** Deterministic for a given base and experiment id, so a run can be reproduced. */
function seededRandom(seed: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let s = h >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function describeMutations(mutations: readonly Mutation[]): string {
  return mutations.map((m) => `${m.constant.name} ${m.constant.literal} → ${m.literal}`).join(', ');
}

const key = (m: Mutation) => `${m.constant.file}:${m.constant.name}=${m.literal}`;

export function createMutationProposer(): Proposer {
  // Proposals handed out but not yet finished (parallel slots share one base): never give two slots the same.
  const inFlight = new Set<string>();

  return {
    name: 'mutation',
    async propose(ctx: ProposalContext): Promise<Proposal> {
      const files = await ctx.workspace.editableFiles();
      const texts = new Map<string, string>();
      const constants: NumericConstant[] = [];
      for (const file of files) {
        const text = await ctx.workspace.readFile(file);
        texts.set(file, text);
        constants.push(...findConstants(file, text));
      }
      if (constants.length === 0) {
        return {
          description: 'no numeric constants to mutate',
          hypothesis: '',
          usage: null,
          transcript: null,
          rejectedReason:
            `The mutation proposer found no top-level numeric constants (like LEARNING_RATE = 0.01 or const HIDDEN = 64) in ${files.join(', ') || 'the editable files'}. ` +
            'Use the claude or command proposer, or move hyperparameters to top-level constants.',
        };
      }

      const baseCommit = ctx.base.commit;
      const triedHere = new Set(ctx.history.filter((e) => e.parentCommit === baseCommit && e.kind === 'candidate').map((e) => e.description));
      // Directions that paid off: a kept "NAME a → b" says keep pushing NAME the same way.
      const momentum = new Map<string, 'up' | 'down'>();
      for (const e of ctx.history) {
        if (e.status !== 'keep' || e.kind !== 'candidate') continue;
        for (const part of e.description.split(', ')) {
          const m = /^(\S+) (\S+) → (\S+)$/.exec(part);
          if (m) momentum.set(m[1]!, Math.abs(Number(m[3])) > Math.abs(Number(m[2])) ? 'up' : 'down');
        }
      }

      // What was already explored from this base, per constant and direction ("LR:up").
      const here = ctx.history.filter((e) => e.parentCommit === baseCommit && e.kind === 'candidate');
      const explored = new Set<string>();
      for (const e of here) {
        for (const part of e.description.split(', ')) {
          const m = /^(\S+) (\S+) → (\S+)$/.exec(part);
          if (m) explored.add(`${m[1]}:${Math.abs(Number(m[3])) > Math.abs(Number(m[2])) ? 'up' : 'down'}`);
        }
      }
      // Coordinate search: right after a single-constant change was discarded, the opposite direction of
      // the same constant is the most informative next step — unless it was explored already.
      const lastHere = here[here.length - 1];
      const opposite = new Map<string, 'up' | 'down'>();
      if (lastHere && lastHere.status === 'discard') {
        const m = /^(\S+) (\S+) → (\S+)$/.exec(lastHere.description);
        const dir = m && (Math.abs(Number(m[3])) > Math.abs(Number(m[2])) ? 'down' : 'up');
        if (m && dir && !explored.has(`${m[1]}:${dir}`)) opposite.set(m[1]!, dir);
      }

      // Seeded by the files' content (not the commit id), so the same code gets the same proposals.
      const rand = seededRandom(`${[...texts.values()].join('\0')}:${ctx.experimentId}`);
      const all = constants.flatMap(mutationsOf);
      const fresh = (ms: Mutation[]) => !triedHere.has(describeMutations(ms)) && !ms.some((m) => inFlight.has(`${baseCommit}|${key(m)}`));
      // Preferences, multiplied: the direction that was kept (×6), the opposite of a fresh discard (×12),
      // a constant and direction not yet explored from this base (×3, so the search covers every knob).
      const weight = (m: Mutation) =>
        (momentum.get(m.constant.name) === m.direction ? 6 : 1) *
        (opposite.get(m.constant.name) === m.direction ? 12 : 1) *
        (explored.has(`${m.constant.name}:${m.direction}`) ? 1 : 3);

      const pickOne = (pool: Mutation[]): Mutation | null => {
        const total = pool.reduce((s, m) => s + weight(m), 0);
        let r = rand() * total;
        for (const m of pool) {
          r -= weight(m);
          if (r <= 0) return m;
        }
        return pool[pool.length - 1] ?? null;
      };

      let chosen: Mutation[] | null = null;
      const singles = all.filter((m) => fresh([m]));
      const wantPair = rand() < 0.25 && constants.length > 1 && opposite.size === 0;
      for (let attempt = 0; attempt < 50 && !chosen; attempt++) {
        const first = pickOne(singles.length ? singles : all);
        if (!first) break;
        if (wantPair) {
          const second = pickOne(all.filter((m) => m.constant !== first.constant && !(m.constant.file === first.constant.file && m.constant.line === first.constant.line)));
          if (second && fresh([first, second])) chosen = [first, second];
        }
        if (!chosen && fresh([first])) chosen = [first];
      }
      if (!chosen) {
        return {
          description: 'every mutation already tried from this base',
          hypothesis: '',
          usage: null,
          transcript: null,
          rejectedReason: `Every mutation of the ${constants.length} constants was already tried from commit ${baseCommit?.slice(0, 7)}. Switch to the claude or command proposer for new ideas.`,
        };
      }

      for (const m of chosen) inFlight.add(`${baseCommit}|${key(m)}`);
      // Apply per file, bottom-up within a line set, so offsets of other constants stay valid.
      const byFile = new Map<string, Mutation[]>();
      for (const m of chosen) byFile.set(m.constant.file, [...(byFile.get(m.constant.file) ?? []), m]);
      for (const [file, ms] of byFile) {
        let text = texts.get(file)!;
        for (const m of [...ms].sort((a, b) => b.constant.line - a.constant.line || b.constant.start - a.constant.start)) {
          text = replaceConstant(text, m.constant, m.literal);
        }
        await ctx.workspace.writeFile(file, text);
      }
      const description = describeMutations(chosen);
      const hypothesis = chosen
        .map((m) =>
          m.constant.isFloat
            ? `${m.constant.name}: scale ${m.constant.value} by ×${Number((m.value / (m.constant.value || 1)).toPrecision(3))} (${m.direction})`
            : `${m.constant.name}: step ${m.constant.value} to ${m.value} (${m.direction})`,
        )
        .join('; ');
      return {
        description,
        hypothesis: `Mutation proposer (no LLM). ${hypothesis}.${momentum.size ? ' Directions that were kept before are preferred.' : ''}`,
        usage: null,
        transcript: null,
      };
    },
  };
}
