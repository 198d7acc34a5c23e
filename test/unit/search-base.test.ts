// The search strategies' one decision (core/loop/search-base.ts) on hand-made run records, and what the agent is
// told about it (the prompt's node line and plateau section). The real-run comparison is
// test/integration/loop-search.test.ts.
import { describe, expect, it } from 'vitest';
import { buildRunStatePrompt } from '../../src/core/agent/claude/prompt.js';
import { createWorkspace } from '../../src/core/agent/workspace.js';
import { emptyRunRecord, type RunRecord } from '../../src/core/journal/fold.js';
import { carriesOntoBest, choiceFor, chooseBase, chooseSpeculativeBase, markExhausted, plateauOf } from '../../src/core/loop/search-base.js';
import { parseConfig, type SearchConfig } from '../../src/shared/config.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { fromDraft, toDraft } from '../../src/renderer/setup/draft.js';
import { fixtureConfig, makeExperiment } from '../fixtures/make-run.js';

function record(experiments: Experiment[], search: Partial<SearchConfig>, slots = 1): RunRecord {
  const rec = emptyRunRecord();
  rec.config = fixtureConfig({ search, slots: Array.from({ length: slots }, () => ({ env: {} })) });
  for (const e of experiments) rec.experiments.set(e.id, e);
  const kept = experiments.filter((e) => e.status === 'keep').pop()!;
  rec.bestId = kept.id;
  rec.bestCommit = kept.commit;
  rec.best = kept.metric;
  return rec;
}

const x = (id: number, status: Experiment['status'], metric: number | null, baseId: number | null = id === 0 ? null : 0) => makeExperiment({ id, status, metric, baseId });

describe('config search', () => {
  it('defaults to greedy and refuses an unknown strategy by name', () => {
    expect(fixtureConfig().search).toEqual({ strategy: 'greedy', plateauAfter: 8, exploration: 0.5, migrateEvery: 10 });
    const bad = parseConfig({ ...fixtureConfig(), search: { strategy: 'beam' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors).toContainEqual({ path: 'search.strategy', message: 'The search strategy is greedy, tree or islands' });
  });

  it('survives a save of the setup form (which has no field for it yet)', () => {
    const config = fixtureConfig({ search: { strategy: 'tree', plateauAfter: 5 } });
    const back = parseConfig(fromDraft(toDraft(config)).config);
    expect(back.ok && back.config.search).toEqual({ strategy: 'tree', plateauAfter: 5, exploration: 0.5, migrateEvery: 10 });
  });
});

describe('greedy', () => {
  it('starts from the best, plainly, and carries a late winner onto the best', () => {
    const rec = record([x(0, 'keep', 10), x(1, 'keep', 9), x(2, 'discard', 9.5, 1)], {});
    expect(chooseBase({ record: rec, slot: 0, id: 3 })).toEqual({ base: rec.experiments.get(1), why: null });
    expect(carriesOntoBest(rec)).toBe(true);
    expect(plateauOf(rec)).toBeNull();
  });

  it('on a plateau, alternates a restart from the best (try something different) with a step back along its line', () => {
    const line = [x(0, 'keep', 10), x(1, 'keep', 9, 0), x(2, 'keep', 8, 1)];
    const misses = [3, 4, 5].map((id, i) => x(id, 'discard', [8.4, 8.1, 11][i]!, 2));
    const rec = record([...line, ...misses, x(6, 'crash', null, 2)], { plateauAfter: 3 });
    const plateau = plateauOf(rec)!;
    expect(plateau.since).toBe(4);
    // The closest discarded ideas first; the crash is no idea to show.
    expect(plateau.closest.map((e) => e.id)).toEqual([4, 3, 5]);
    // since 4, plateauAfter 3: step 1 (odd) steps back to the best's base.
    const back = chooseBase({ record: rec, slot: 0, id: 7 });
    expect(back.base.id).toBe(1);
    expect(back.why).toMatch(/^No keep in the last 4 experiments: stepping back to experiment 1/);
    rec.experiments.set(7, x(7, 'discard', 9.2, 1));
    const again = chooseBase({ record: rec, slot: 0, id: 8 });
    expect(again.base.id).toBe(2);
    expect(again.why).toMatch(/starting again from the best \(#2\); try something different/);
  });
});

describe('a speculative base (while conflicts are frequent)', () => {
  const running = (id: number, commit: string | null) => ({ ...makeExperiment({ id, status: 'running', metric: null, baseId: 1 }), commit });

  it('is the newest candidate being measured that has its commit, with why; none when there is none', () => {
    const rec = record([x(0, 'keep', 10), x(1, 'keep', 9, 0), running(2, 'c'.repeat(40)), running(3, 'd'.repeat(40)), running(4, null)], {}, 3);
    const chosen = chooseSpeculativeBase({ record: rec, slot: null, id: 5 })!;
    // #4 has no commit yet (its proposal is being recorded): the newest with one is #3.
    expect(chosen.base.id).toBe(3);
    expect(chosen.why).toContain('starts from experiment 3, which is being measured now');
    // proposal.ts reads the choice for the prompt.
    expect(choiceFor(rec, 5)).toBe(chosen);
    expect(chooseSpeculativeBase({ record: record([x(0, 'keep', 10), x(1, 'keep', 9, 0)], {}), slot: null, id: 2 })).toBeNull();
  });

  it('is greedy only, and not on a plateau (tree and islands choose their nodes on purpose)', () => {
    const exps = [x(0, 'keep', 10), x(1, 'keep', 9, 0), running(2, 'c'.repeat(40))];
    expect(chooseSpeculativeBase({ record: record(exps, { strategy: 'tree' }), slot: null, id: 3 })).toBeNull();
    expect(chooseSpeculativeBase({ record: record(exps, { strategy: 'islands' }), slot: null, id: 3 })).toBeNull();
    const stuck = record([...exps.slice(0, 2), x(3, 'discard', 9.5, 1), x(4, 'discard', 9.5, 1), running(5, 'e'.repeat(40))], { plateauAfter: 2 });
    expect(chooseSpeculativeBase({ record: stuck, slot: null, id: 6 })).toBeNull();
  });
});

describe('tree', () => {
  it('explores a node nothing started from, a discard that beat its own base included, and never carries', () => {
    const rec = record([x(0, 'keep', 10), x(1, 'keep', 8, 0), x(2, 'discard', 9, 0), x(3, 'discard', 12, 1), x(4, 'discard', 8.5, 1), x(5, 'discard', 8.7, 1)], { strategy: 'tree', exploration: 1 });
    const chosen = chooseBase({ record: rec, slot: 0, id: 6 });
    // Nodes: #0 (10), #1 (8, the best), #2 (9: a discard, but better than its base's 10); #4 and #5 beat neither.
    // #1 has 3 tries, #0 has 2, #2 none: 1 + √(ln 6 / 4) = 1.67 for #1 against 0.5 + √(ln 6) = 1.84 for #2.
    expect(chosen.base.id).toBe(2);
    expect(chosen.why).toMatch(/^Tree search chose experiment 2, a discarded experiment that came close/);
    expect(carriesOntoBest(rec)).toBe(false);
    // The same journal gives the same choice.
    expect(chooseBase({ record: rec, slot: 0, id: 6 }).base.id).toBe(2);
  });

  it('with no exploration weight, climbs from the best; a spent node is passed over', () => {
    const rec = record([x(0, 'keep', 10), x(1, 'keep', 8, 0), x(2, 'discard', 9, 0)], { strategy: 'tree', exploration: 0 });
    expect(chooseBase({ record: rec, slot: 0, id: 3 }).base.id).toBe(1);
    markExhausted(rec, 1);
    expect(chooseBase({ record: rec, slot: 0, id: 3 }).base.id).toBe(2);
  });
});

describe('islands', () => {
  it('deals ids to islands that climb their own best node, and every island restarts from the best at a migration', () => {
    // Two islands (ids even / odd). Island 0's best node is #2 (a discard, 9); island 1's is #1 (a keep, 8).
    const rec = record([x(0, 'keep', 10), x(1, 'keep', 8, 0), x(2, 'discard', 9, 0), x(3, 'discard', 8.5, 1)], { strategy: 'islands', migrateEvery: 6 });
    expect(chooseBase({ record: rec, slot: 0, id: 4 }).base.id).toBe(2);
    expect(chooseBase({ record: rec, slot: 0, id: 5 }).base.id).toBe(1);
    expect(chooseBase({ record: rec, slot: 0, id: 4 }).why).toMatch(/island 1 of 2, which climbs from its own best node, experiment 2/);
    // #6 starts the second epoch: island 0 restarts from the best, #1.
    rec.experiments.set(4, x(4, 'discard', 8.8, 2));
    rec.experiments.set(5, x(5, 'discard', 9.9, 1));
    const migrated = chooseBase({ record: rec, slot: 0, id: 6 });
    expect(migrated.base.id).toBe(1);
    expect(migrated.why).toContain('every island restarted from the best at experiment 6');
  });
});

describe('the prompt names the node and the plateau', () => {
  const rec = record([x(0, 'keep', 10), x(1, 'keep', 8, 0), x(2, 'discard', 9, 0)], {});
  const [baseline, best, discard] = [0, 1, 2].map((id) => rec.experiments.get(id)!) as [Experiment, Experiment, Experiment];
  const prompt = (fields: Partial<Parameters<typeof buildRunStatePrompt>[0]>) =>
    buildRunStatePrompt({
      config: rec.config,
      program: '',
      workspace: createWorkspace('/tmp/none', '/tmp/none', { editable: ['train.py'], context: [], protected: [] }),
      slot: 0,
      experimentId: 3,
      base: best,
      baseline,
      best,
      noiseFloor: null,
      history: [baseline, best, discard],
      bestDiff: '',
      lastCrashLogTail: null,
      steering: [],
      signal: new AbortController().signal,
      scratchDir: '/tmp/none',
      ...fields,
    });

  it('says a base that is not the best, and why', () => {
    const p = prompt({ base: discard, baseWhy: 'Tree search chose experiment 2, a discarded experiment that came close.' });
    expect(p).toContain(`- Your change starts from experiment 2 (commit ${discard.commit!.slice(0, 7)}), not the current best: it measured 9 (discarded): experiment 2.`);
    expect(p).toContain('your change is still compared with the best. Tree search chose experiment 2');
    expect(prompt({})).toContain('), the current best.');
  });

  it('says honestly that a speculative base is being measured now and has no result yet', () => {
    const measuring = { ...makeExperiment({ id: 4, status: 'running', metric: null, baseId: 1 }), commit: 'f'.repeat(40), description: 'LR up' };
    const p = prompt({ base: measuring });
    expect(p).toContain(`- Your change starts from experiment 4 (commit fffffff), not the current best: experiment 4 is being measured now and has no result yet: LR up.`);
    expect(p).not.toContain('it measured');
  });

  it('on a plateau, says so and lists the closest misses', () => {
    const p = prompt({ plateau: { since: 8, closest: [discard] } });
    expect(p).toContain('## No keep in the last 8 experiments: the run is on a plateau');
    expect(p).toContain('Try something different');
    expect(p).toContain('- 2: 9 (-1 against the best): experiment 2');
    expect(prompt({})).not.toContain('plateau');
  });
});
