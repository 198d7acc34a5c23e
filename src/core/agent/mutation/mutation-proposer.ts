// The offline proposer: no LLM. It perturbs one or two numeric hyperparameters of the editable files
// (find-constants.ts says where it looks), never repeats a change already tried from the same base, and
// keeps going in a direction that was kept before. From one base it searches in stages: coarse steps,
// then smaller steps around the best ('refine', 'fine'), then combinations of two promising directions;
// only when all of those were measured does it say the search space is exhausted (the run then stops,
// not as a failure). It is the default when no API key is set, and the baseline an LLM agent has to beat.
import type { Experiment } from '../../../shared/experiment.js';
import { ProposerUnavailableError, SearchSpaceExhaustedError, type Proposal, type Proposer, type ProposalContext } from '../proposer.js';
import { findConstants, replaceConstant, type NumericConstant } from './find-constants.js';
import { LEVELS, mutationsOf, type Level, type Mutation } from './mutations.js';

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

type Direction = 'up' | 'down';

/** "NAME a → b" parts of a description, with the direction of each. */
function partsOf(description: string): { name: string; direction: Direction }[] {
  const out: { name: string; direction: Direction }[] = [];
  for (const part of description.split(', ')) {
    const m = /^(\S+) (\S+) → (\S+)$/.exec(part);
    if (m) out.push({ name: m[1]!, direction: Math.abs(Number(m[3]!.replace(/_/g, ''))) > Math.abs(Number(m[2]!.replace(/_/g, ''))) ? 'up' : 'down' });
  }
  return out;
}

/** Two constants with the same name (lr in a YAML file and in an argparse script) get their file as a prefix. */
function uniqueNames(constants: NumericConstant[]): NumericConstant[] {
  const count = new Map<string, number>();
  for (const c of constants) count.set(c.name, (count.get(c.name) ?? 0) + 1);
  return constants.map((c) => (count.get(c.name)! > 1 ? { ...c, name: `${c.file}:${c.name}`.replace(/\s/g, '_') } : c));
}

const key = (m: Mutation) => `${m.constant.file}:${m.constant.name}=${m.literal}`;

export function createMutationProposer(): Proposer {
  // Proposals handed out but not yet finished (parallel slots share one base): never give two slots the
  // same. Keyed by base and change, valued by the experiment id, dropped when that experiment has finished.
  const inFlight = new Map<string, number>();

  return {
    name: 'mutation',
    async propose(ctx: ProposalContext): Promise<Proposal> {
      const files = await ctx.workspace.editableFiles();
      const texts = new Map<string, string>();
      const found: NumericConstant[] = [];
      for (const file of files) {
        const text = await ctx.workspace.readFile(file);
        texts.set(file, text);
        found.push(...findConstants(file, text));
      }
      const constants = uniqueNames(found);
      if (constants.length === 0) {
        return {
          description: 'no numeric constants to mutate',
          hypothesis: '',
          usage: null,
          transcript: null,
          rejectedReason:
            `The mutation proposer found no numeric hyperparameters in ${files.join(', ') || 'the editable files'}. It looks for top-level constants (LEARNING_RATE = 0.01, const HIDDEN = 64), ` +
            'argparse defaults, dataclass or config-class fields, and numbers in YAML, TOML or JSON config files. Make such a file editable, or use the claude or command proposer.',
        };
      }

      const finished = new Set(ctx.history.map((e) => e.id));
      for (const [k, id] of inFlight) if (finished.has(id)) inFlight.delete(k);

      const baseCommit = ctx.base.commit;
      // What was measured from this base; an interrupted experiment was never measured, so it may come again.
      const here = ctx.history.filter((e) => e.parentCommit === baseCommit && e.kind === 'candidate' && e.status !== 'interrupted');
      // A proposal made ahead from this base and carried onto a best that moved meanwhile (greedy) ran under the
      // best's commit, yet it was this base's idea: counted as tried here, or a plateau's step back to this base
      // would make the same (deterministic) combination again and again.
      const carriedFromHere = ctx.history.filter((e) => e.proposedOn?.parentCommit === baseCommit && e.kind === 'candidate' && e.status !== 'interrupted');
      const triedHere = new Set([...here, ...carriedFromHere].map((e) => e.description));
      // Directions that paid off: a kept "NAME a → b" says keep pushing NAME the same way.
      const momentum = new Map<string, Direction>();
      for (const e of ctx.history) {
        if (e.status !== 'keep' || e.kind !== 'candidate') continue;
        for (const p of partsOf(e.description)) momentum.set(p.name, p.direction);
      }
      // What was already explored from this base, per constant and direction ("LR:up").
      const explored = new Set<string>();
      for (const e of here) for (const p of partsOf(e.description)) explored.add(`${p.name}:${p.direction}`);
      // Coordinate search: right after a single-constant change was discarded, the opposite direction of
      // the same constant is the most informative next step — unless it was explored already.
      const lastHere = here[here.length - 1];
      const opposite = new Map<string, Direction>();
      if (lastHere && lastHere.status === 'discard') {
        const parts = partsOf(lastHere.description);
        const dir: Direction | undefined = parts.length === 1 ? (parts[0]!.direction === 'up' ? 'down' : 'up') : undefined;
        if (dir && !explored.has(`${parts[0]!.name}:${dir}`)) opposite.set(parts[0]!.name, dir);
      }

      // Seeded by the files' content (not the commit id), so the same code gets the same proposals.
      const rand = seededRandom(`${[...texts.values()].join('\0')}:${ctx.experimentId}`);
      const busy = (m: Mutation) => inFlight.has(`${baseCommit}|${key(m)}`);
      const fresh = (ms: Mutation[]) => !triedHere.has(describeMutations(ms)) && !ms.some(busy);
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

      const byLevel = new Map<Level, Mutation[]>(LEVELS.map((l) => [l, constants.flatMap((c) => mutationsOf(c, l))]));
      let chosen: Mutation[] | null = null;
      let stage: Level | 'combine' = 'coarse';
      // Coarse, then refine, then fine: the first level with an untried single change is searched.
      for (const level of LEVELS) {
        const singles = byLevel.get(level)!.filter((m) => fresh([m]));
        if (singles.length === 0) continue;
        stage = level;
        const all = byLevel.get(level)!;
        const wantPair = level === 'coarse' && rand() < 0.25 && constants.length > 1 && opposite.size === 0;
        for (let attempt = 0; attempt < 50 && !chosen; attempt++) {
          const first = pickOne(singles);
          if (!first) break;
          if (wantPair) {
            const second = pickOne(all.filter((m) => m.constant !== first.constant));
            if (second && fresh([first, second])) chosen = [first, second];
          }
          if (!chosen && fresh([first])) chosen = [first];
        }
        if (chosen) break;
      }
      if (!chosen) {
        stage = 'combine';
        chosen = combination(constants, byLevel, momentum, here, ctx, fresh);
      }
      if (!chosen) {
        const busyHere = [...inFlight.keys()].some((k) => k.startsWith(`${baseCommit}|`));
        if (busyHere) {
          // Another slot measures the last changes from this base; one of them may become the new best.
          throw new ProposerUnavailableError('Every mutation left from this base is being measured by another slot; waiting for those results.', 5_000);
        }
        throw new SearchSpaceExhaustedError(
          `Search space exhausted: every coarse, refined and combined mutation of the ${constants.length} hyperparameters (${constants.map((c) => c.name).join(', ')}) was measured from ${ctx.best !== null && ctx.best.id === ctx.base.id ? 'the best' : 'the node the search chose'} (#${ctx.base.id}) and none improved on it. ` +
            'The run stopped here on its own; to search further, switch to the claude or command proposer, or make more hyperparameters editable.',
        );
      }

      for (const m of chosen) inFlight.set(`${baseCommit}|${key(m)}`, ctx.experimentId);
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
      const steps = chosen
        .map((m) =>
          m.constant.isFloat
            ? `${m.constant.name}: scale ${m.constant.value} by ×${Number((m.value / (m.constant.value || 1)).toPrecision(3))} (${m.direction})`
            : `${m.constant.name}: step ${m.constant.value} to ${m.value} (${m.direction})`,
        )
        .join('; ');
      const why =
        stage === 'combine'
          ? ' Every single step from this base was measured; this combines two promising directions.'
          : stage !== 'coarse'
            ? ` The coarse steps from this base are spent; searching with ${stage === 'refine' ? 'smaller' : 'the smallest'} steps around the best.`
            : '';
      return {
        description,
        hypothesis: `Mutation proposer (no LLM). ${steps}.${why}${momentum.size ? ' Directions that were kept before are preferred.' : ''}`,
        usage: null,
        transcript: null,
      };
    },
  };
}

/**
 * Two promising directions together: the directions that were kept in this run, completed with the
 * directions of the best-measured single changes from this base; at each step size in turn.
 */
function combination(
  constants: readonly NumericConstant[],
  byLevel: ReadonlyMap<Level, Mutation[]>,
  momentum: ReadonlyMap<string, Direction>,
  here: readonly Experiment[],
  ctx: ProposalContext,
  fresh: (ms: Mutation[]) => boolean,
): Mutation[] | null {
  const names = new Set(constants.map((c) => c.name));
  const directions: { name: string; direction: Direction }[] = [...momentum].filter(([n]) => names.has(n)).map(([name, direction]) => ({ name, direction }));
  const sign = ctx.config.metric.direction === 'min' ? 1 : -1;
  const measured = here
    .filter((e) => e.metric !== null && Number.isFinite(e.metric) && partsOf(e.description).length === 1)
    .sort((a, b) => sign * (a.metric! - b.metric!));
  for (const e of measured) {
    const p = partsOf(e.description)[0]!;
    if (directions.length >= 4) break;
    if (names.has(p.name) && !directions.some((d) => d.name === p.name)) directions.push(p);
  }
  for (const level of LEVELS) {
    const step = (d: { name: string; direction: Direction }) => byLevel.get(level)!.find((m) => m.constant.name === d.name && m.direction === d.direction) ?? null;
    for (let i = 0; i < directions.length; i++) {
      for (let j = i + 1; j < directions.length; j++) {
        const a = step(directions[i]!);
        const b = step(directions[j]!);
        if (a && b && a.constant.name !== b.constant.name && fresh([a, b])) return [a, b];
      }
    }
  }
  return null;
}
