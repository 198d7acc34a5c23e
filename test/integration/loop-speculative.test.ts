// A speculative proposal (docs/decisions.md, "Pipelined proposals"): with one slot working ahead and every edit
// on the same line, each proposal made ahead conflicts once the running candidate is kept. Once conflicts are
// frequent the first free proposer starts one proposal from the candidate being measured; that candidate kept, its proposal runs
// next on it with no carry and no conflict. The order is forced, not timed: each trainer waits (go-<id>) until a
// proposal was made while it ran (once conflicts are frequent, one made on it), so that proposal is ready before
// the candidate's decision.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/shared/journal.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { cleanupTempDirs, SCORED_TRAINER, scoredProject, tempDir } from '../helpers/project.js';
import { scriptedProposer, setConst, type Step } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

const MAX = 12;

/** The scored trainer; a candidate waits for go-<id> (it reads, never writes, there). */
const TRAINER = `import { existsSync } from 'node:fs';
const id = process.env.AUTORESEARCH_EXPERIMENT_ID;
if (id !== '0') while (!existsSync(process.env.HOLD_DIR + '/go-' + id)) await new Promise((r) => setTimeout(r, 20));
${SCORED_TRAINER}`;

function journal(dir: string): JournalEvent[] {
  const out: JournalEvent[] = [];
  for (const l of readFileSync(runPaths(dir, 'test').journal, 'utf8').split('\n')) {
    try {
      if (l) out.push(JSON.parse(l) as JournalEvent);
    } catch {
      // A line being written: read again on the next look.
    }
  }
  return out;
}

/**
 * Lets candidate N's trainer finish once a proposal was made after N's own proposal was recorded (whatever the
 * proposers do meanwhile is then ready when N is decided), or once every id up to MAX was made (no more will be).
 * Once conflicts are frequent, the proposal waited for is one made on N itself (speculative): a remake or a
 * proposal on the best may come back first, and N's trainer, which takes no time here, would end before the
 * speculative one is ready (a trainer of minutes never does). `firstSeen` bounds that wait (N may have started
 * before a spare proposer was wanted, and then none is made on it): a fallback against a hang, not an order.
 */
function release(dir: string, holdDir: string, firstSeen: Map<number, number>): void {
  const events = journal(dir);
  const made = new Set(events.flatMap((e) => (e.type === 'proposal-made' ? [e.id] : [])));
  const frequent = events.some((e) => e.type === 'notice' && /conflict often/.test(e.message));
  const allMade = Array.from({ length: MAX }, (_, k) => k + 1).every((k) => made.has(k));
  events.forEach((e, i) => {
    if (e.type !== 'experiment-proposed' || e.id === 0) return;
    const go = path.join(holdDir, `go-${e.id}`);
    if (existsSync(go)) return;
    const since = firstSeen.get(e.id) ?? Date.now();
    firstSeen.set(e.id, since);
    const after = events.slice(i + 1).filter((x) => x.type === 'proposal-made');
    const ready = frequent ? after.some((x) => x.type === 'proposal-made' && x.baseId === e.id) || Date.now() - since > 8_000 : after.length > 0;
    if (ready || allMade) writeFileSync(go, '');
  });
}

describe('a speculative proposal while conflicts are frequent (one slot, the same line every time)', () => {
  it('is made on the candidate being measured and, that candidate kept, runs next without a carry or a conflict', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': TRAINER });
    const holdDir = tempDir();
    mkdirSync(holdDir, { recursive: true });
    // Each proposal moves the learning rate nearer 0.08 than every one made before it, so a candidate that
    // runs on the base it was made on is kept; a proposal made on an older best always conflicts. Every fifth
    // goes far the wrong way (discarded), so a speculative proposal made on it has its base not kept.
    let calls = 0;
    const step: Step = async (ctx) => {
      calls += 1;
      return setConst('LEARNING_RATE', calls % 5 === 0 ? '0.0001' : (0.01 + 0.004 * calls).toFixed(3))(ctx);
    };
    const proposer = scriptedProposer([], step);
    let running = true;
    const firstSeen = new Map<number, number>();
    const watcher = (async () => {
      while (running) {
        if (existsSync(runPaths(dir, 'test').journal)) release(dir, holdDir, firstSeen);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    try {
      const handle = await startRun({
        projectDir: dir,
        tag: 'test',
        maxExperiments: MAX,
        deps: { env: { ...process.env, HOLD_DIR: holdDir }, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined },
      });
      expect((await handle.done).reason).toBe('max-experiments');
    } finally {
      running = false;
      await watcher;
    }

    const rec = await readRunRecord(dir, 'test');
    const events = journal(dir);
    // Conflicts became frequent first (the adaptive depth was raised), before any speculative proposal was made.
    const frequentAt = events.findIndex((e) => e.type === 'notice' && /conflict often/.test(e.message));
    expect(frequentAt).toBeGreaterThan(-1);
    // (Found by a slot that took the proposal, or at the keep by its carry made ahead: pre-carry.ts.)
    expect(events.slice(0, frequentAt).filter((e) => e.type === 'notice' && /conflicts with #\d+, kept meanwhile/.test(e.message)).length).toBeGreaterThanOrEqual(2);
    // The first proposal made on a candidate before that candidate's end (being measured) came after it.
    const firstSpeculative = events.findIndex((e, i) => e.type === 'proposal-made' && rec.experiments.get(e.baseId!)?.kind === 'candidate' && !events.slice(0, i).some((x) => x.type === 'experiment-end' && x.experiment.id === e.baseId));
    expect(firstSpeculative).toBeGreaterThan(frequentAt);
    // Speculative prompts: made on a candidate still being measured, and the prompt says so honestly.
    const speculative = proposer.contexts.filter((c) => c.base.status === 'running');
    expect(speculative.length).toBeGreaterThan(0);
    // One of them whose base was kept ran next on it: no carry (proposedOn), no conflict notice, parent = base's commit.
    const clean = speculative.map((c) => rec.experiments.get(c.experimentId)).filter((e) => {
      if (!e || e.status === 'running' || e.commit === null) return false;
      const base = rec.experiments.get(e.baseId!);
      return base?.status === 'keep' && e.parentCommit === base.commit && e.proposedOn === undefined;
    });
    expect(clean.length).toBeGreaterThan(0);
    const e = clean[0]!;
    const made = events.find((x) => x.type === 'proposal-made' && x.id === e.id);
    expect(made).toMatchObject({ baseId: e.baseId });
    expect(events.some((x) => x.type === 'notice' && x.id === e.id && x.conflictSlot !== undefined)).toBe(false);
    expect(e.status).toBe('keep');
    // A speculative proposal whose base was discarded is dropped with why, never carried; so every experiment's
    // base is a kept node (History's lineage never runs through a discarded one).
    for (const d of events) {
      if (d.type === 'proposal-dropped' && /while it was measured/.test(d.reason)) {
        const on = events.find((x) => x.type === 'proposal-made' && x.id === d.id);
        expect(on && on.type === 'proposal-made' && rec.experiments.get(on.baseId!)!.status).toBe('discard');
      }
    }
    for (const x of rec.experiments.values()) if (x.kind === 'candidate') expect(rec.experiments.get(x.baseId!)!.status).toBe('keep');
    // It ran right after its base: the next experiment started after the base's end.
    const starts = [...new Set(events.flatMap((x) => (x.type === 'experiment-start' && x.experiment.kind === 'candidate' ? [x.experiment.id] : [])))];
    expect(starts[starts.indexOf(e.baseId!) + 1]).toBe(e.id);
  });
});
