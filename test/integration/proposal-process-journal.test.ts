// The agent CLI's process-start/end are journaled (a restarted app finds and kills an orphaned agent by them).
// propose() runs against a real repository; the proposer is one that reports an agent process the way the
// command and Claude proposers do. A journal write that fails under it fails the proposal with that error
// (the run is already stopping on it), instead of the proposal going on with the agent unrecorded.
import { afterEach, describe, expect, it } from 'vitest';
import type { Proposer } from '../../src/core/agent/proposer.js';
import { emptyRunRecord } from '../../src/core/journal/fold.js';
import { propose, type ProposalContext, type ProposalSite } from '../../src/core/loop/proposal.js';
import { runPaths } from '../../src/core/project/paths.js';
import type { Experiment } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { runningExperiment } from '../../src/core/loop/context.js';

afterEach(cleanupTempDirs);

/** A proposer whose "agent" starts and ends one process, then proposes nothing usable. */
const agentProposer: Proposer = {
  name: 'command',
  async propose(input) {
    input.onProcessStart?.({ pid: 4242, pgid: 4242 });
    await new Promise((r) => setImmediate(r));
    input.onProcessEnd?.({ pid: 4242, pgid: 4242 });
    return { description: 'nothing', hypothesis: '', usage: null, transcript: null, rejectedReason: 'The agent changed nothing.' };
  },
};

function setup(append: (e: JournalEvent) => Promise<void>) {
  const { dir, config } = scoredProject();
  const head = git(dir, 'rev-parse', 'HEAD').trim();
  const record = emptyRunRecord();
  record.startCommit = head;
  const base: Experiment = { ...runningExperiment({ id: 0, kind: 'baseline', slot: 0, baseId: null, parentCommit: head, startedAt: new Date().toISOString(), commit: head }), status: 'keep', metric: 1 };
  const ctx = {
    projectDir: dir,
    tag: 't',
    config,
    paths: runPaths(dir, 't'),
    record,
    append,
    signal: new AbortController().signal,
    proposer: agentProposer,
    sleep: async () => undefined,
    finishedHistory: () => [],
    importInbox: async () => undefined,
    sandboxFor: () => null,
    protectedHashes: () => new Map(),
  } as ProposalContext;
  const site: ProposalSite = { dir, index: 0, lastCrashLogTail: null, status: () => undefined, waiting: () => undefined, proposing: () => undefined };
  return { ctx, site, base };
}

describe("the agent's process in the journal", () => {
  it('journals its start and end, in order, before the proposal comes back', async () => {
    const events: JournalEvent[] = [];
    const { ctx, site, base } = setup(async (e) => void events.push(e));
    const result = await propose(ctx, site, 1, base);
    expect(result.kind).toBe('made');
    expect(events.map((e) => e.type)).toEqual(['process-start', 'process-end']);
    expect(events[0]).toMatchObject({ id: 1, pid: 4242, pgid: 4242, what: 'agent' });
  });

  it('fails the proposal with the journal error when the process-start cannot be written', async () => {
    const { ctx, site, base } = setup(async (e) => {
      if (e.type === 'process-start') throw new Error('Cannot write the journal: ENOSPC');
    });
    await expect(propose(ctx, site, 1, base)).rejects.toThrow('Cannot write the journal: ENOSPC');
  });
});
