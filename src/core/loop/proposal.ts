// Making a proposal: ask the proposer for a change in a worktree at its base (search-base.ts), guard the diff, commit it.
// The same steps whether a slot proposes for itself (one slot, experiment-start.ts) or a proposal worktree works
// ahead of the slots (proposal-queue.ts). Nothing here records an experiment: the caller journals the result.
import { addUsage, type Experiment, type TokenUsage } from '../../shared/experiment.js';
import type { JournalEvent } from '../../shared/journal.js';
import { guardDiff } from '../agent/diff-guard.js';
import { ProposalAbortedError, ProposerFatalError, ProposerUnavailableError, SearchSpaceExhaustedError, type InFlightExperiment, type ProposalConflict } from '../agent/proposer.js';
import { createWorkspace } from '../agent/workspace.js';
import { commitPaths } from '../git/commit.js';
import { diffCommits } from '../git/diff.js';
import { cleanWorktree, resetTo } from '../git/reset-to.js';
import { commitOnBase } from '../git/fast-commit.js';
import { moveRef } from '../git/ref-writer.js';
import { projectPaths } from '../project/paths.js';
import { readProgramFile } from '../project/program-file.js';
import { experimentCommitMessage } from '../git/commit-message.js';
import { errorMessage, isoNow, oneLine, type ProposingView, type RunIdentity, type RunJournalView, type RunProcesses, type RunStopView } from './context.js';
import { configForProposer, hiddenHeldout } from './heldout.js';
import type { ProposalResult, ScratchLeft } from './outcomes.js';
import { candidateRef } from './refs.js';
import { choiceFor, chooseBase, isExhausted, markExhausted, plateauOf } from './search-base.js';
import { redactDeep } from '../util/redact.js';
import { writeFileAtomic } from '../util/safe-fs.js';

/** How long a proposer waits before asking an unavailable API again, by attempt (retry-after wins). */
const BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000];

/** Where a proposal is made, and how its progress shows. */
export interface ProposalSite {
  /** The worktree the proposer edits (reset to the best first). */
  readonly dir: string;
  /**
   * The commit `dir` was put at just before, exactly (a forced checkout and a clean, as prepareWorktreeAt does):
   * a proposal on that commit then skips its own reset, two git processes fewer per experiment.
   */
  readonly at?: string;
  /**
   * A proposal worktree: scratch space no trainer runs in, so its commit is written by the harness
   * (git/fast-commit.ts) and its HEAD stays at the base. A slot's own worktree commits with git.
   */
  readonly scratch?: boolean;
  /** The slot, or the proposal worktree's number for a pipelined proposal. */
  readonly index: number;
  /** The end of the log of the last experiment when it crashed, for the prompt. */
  readonly lastCrashLogTail: string | null;
  /** A live status line from the proposer ("waiting for the API"). */
  status(message: string): void;
  /** The service is down: waiting `reason` before the next attempt. */
  waiting(reason: string): void;
  /** Proposing again after a wait. */
  proposing(): void;
}

export type { MadeProposal } from './outcomes.js';

/** What making a proposal needs of the run. */
export type ProposalContext = RunIdentity & RunJournalView & Pick<RunStopView, 'signal'> & ProposingView & Pick<RunProcesses, 'sandboxFor' | 'protectedHashes'>;

// Keyed by the record: a slot and the proposers working ahead share one run's record, not one context object.
const bestDiffs = new WeakMap<object, { commit: string; diff: string }>();

/** `git diff start..best`, for the prompt; cached until the best moves. */
async function bestDiff(ctx: ProposalContext): Promise<string> {
  const best = ctx.record.bestCommit;
  if (!best || best === ctx.record.startCommit) return '';
  const cached = bestDiffs.get(ctx.record);
  if (cached?.commit === best) return cached.diff;
  const diff = await diffCommits(ctx.projectDir, ctx.record.startCommit, best).catch(() => '');
  bestDiffs.set(ctx.record, { commit: best, diff });
  return diff;
}

/** Experiments measured now and proposals waiting for a slot: the agent should not propose them again. */
export function inFlightOf(ctx: Pick<RunJournalView, 'record'>, except: number): InFlightExperiment[] {
  const out: InFlightExperiment[] = [];
  for (const e of ctx.record.experiments.values()) {
    if (e.status === 'running' && e.id !== except && e.kind === 'candidate' && e.description) out.push({ id: e.id, description: e.description, state: 'running' });
  }
  for (const p of ctx.record.queuedProposals.values()) {
    if (p.id !== except && p.commit !== null) out.push({ id: p.id, description: p.description, state: 'queued' });
  }
  return out.sort((a, b) => a.id - b.id);
}

/**
 * The agent CLI's process-start/end, journaled as they happen (the proposer's callbacks cannot wait): a restarted
 * app finds an orphaned agent by them. A write that failed fails the proposal once the agent is done, as every
 * failed journal write fails its step (the run is already stopping on it).
 */
function journalProcesses(ctx: Pick<RunJournalView, 'append'>) {
  const writes: Promise<void>[] = [];
  let failed: { readonly err: unknown } | null = null;
  return {
    note(event: Extract<JournalEvent, { type: 'process-start' | 'process-end' }>): void {
      writes.push(ctx.append(event).catch((err: unknown) => void (failed ??= { err })));
    },
    /** Waits for the writes; throws the first that failed. */
    async settled(): Promise<void> {
      await Promise.all(writes);
      if (failed) throw failed.err;
    },
  };
}

type AskOutcome = { readonly kind: 'proposal'; readonly proposal: Awaited<ReturnType<ProposalContext['proposer']['propose']>> } | Exclude<ProposalResult, { kind: 'made' }>;

/** Which node the strategy chose for proposal `id` and why (search-base.ts), when `base` is that choice. */
function baseWhyFor(record: ProposalContext['record'], id: number, base: Experiment): string | null {
  const chosen = choiceFor(record, id);
  return chosen && chosen.base.id === base.id ? chosen.why : null;
}

const INTERRUPTED = { kind: 'interrupted', message: 'Stopped while the agent was proposing.' } as const;

/** Ask the proposer; an unavailable service is waited out (the proposal keeps its id), never fatal. */
async function ask(ctx: ProposalContext, site: ProposalSite, id: number, base: Experiment, conflict: ProposalConflict | null): Promise<AskOutcome> {
  const { config, record } = ctx;
  const workspace = createWorkspace(site.dir, ctx.projectDir, config.files);
  // A program.md that is a link (to a file outside the project) is not read: the agent sees no program.
  const program = (await readProgramFile(projectPaths(ctx.projectDir).program).catch(() => null)) ?? '';
  const baseWhy = baseWhyFor(record, id, base);
  // Tokens of attempts that failed on an outage still count (the spend cap must see them).
  let spentBefore: TokenUsage | null = null;
  for (let attempt = 0; ; attempt++) {
    if (ctx.signal.aborted) return INTERRUPTED;
    await ctx.importInbox();
    const processes = journalProcesses(ctx);
    try {
      // Nothing of the held-out check reaches the proposer (heldout.ts): not its config, not a result.
      const proposal = await ctx.proposer.propose({
        config: configForProposer(config),
        program,
        workspace,
        slot: site.index,
        experimentId: id,
        base: hiddenHeldout(base),
        baseWhy,
        plateau: plateauWithoutHeldout(record, config.heldout !== null),
        baseline: hiddenHeldout(record.experiments.get(0) ?? null),
        best: hiddenHeldout(record.bestId !== null ? (record.experiments.get(record.bestId) ?? null) : null),
        noiseFloor: record.noiseFloor,
        history: config.heldout ? ctx.finishedHistory().map(hiddenHeldout) : ctx.finishedHistory(),
        bestDiff: await bestDiff(ctx),
        lastCrashLogTail: site.lastCrashLogTail,
        steering: record.steering.map((s) => s.note),
        inFlight: inFlightOf(ctx, id),
        conflict,
        signal: ctx.signal,
        scratchDir: ctx.paths.scratchDir,
        onStatus: (message) => site.status(message),
        // An agent CLI runs as its own process group: journal it, so a restarted app can kill an orphan.
        onProcessStart: (p) => processes.note({ type: 'process-start', at: isoNow(), id, pid: p.pid, pgid: p.pgid, what: 'agent' }),
        onProcessEnd: (p) => processes.note({ type: 'process-end', at: isoNow(), id, pgid: p.pgid }),
        sandbox: ctx.sandboxFor(site.dir, 'agent'),
      });
      await processes.settled();
      return { kind: 'proposal', proposal: spentBefore ? { ...proposal, usage: addUsage(spentBefore, proposal.usage) } : proposal };
    } catch (err) {
      // The journal failing under the agent comes first: the run is stopping on it, and the step fails with it.
      await processes.settled();
      if (ctx.signal.aborted || err instanceof ProposalAbortedError) return INTERRUPTED;
      if (err instanceof ProposerFatalError) return { kind: 'fatal', message: err.message };
      if (err instanceof SearchSpaceExhaustedError) return { kind: 'exhausted', message: err.message };
      if (err instanceof ProposerUnavailableError) {
        spentBefore = addUsage(spentBefore, err.usage);
        const wait = err.retryAfterMs ?? BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
        const reason = `${err.message} Trying again in ${Math.round(wait / 1000)} s.`;
        await ctx.append({ type: 'notice', at: isoNow(), level: 'warning', message: reason, id });
        site.waiting(reason);
        await ctx.sleep(wait, ctx.signal);
        // The failed attempt may have edited files; start the next one from a clean base.
        await resetTo(site.dir, base.commit!, config.files.linked);
        site.proposing();
        continue;
      }
      return { kind: 'proposal', proposal: { description: 'the proposer failed', hypothesis: '', usage: null, transcript: null, rejectedReason: `The proposer failed: ${errorMessage(err)}` } };
    }
  }
}

/** The plateau for the prompt (search-base.ts), with nothing of the held-out check in its experiments. */
function plateauWithoutHeldout(record: ProposalContext['record'], hide: boolean) {
  const plateau = plateauOf(record);
  return plateau && hide ? { ...plateau, closest: plateau.closest.map(hiddenHeldout) } : plateau;
}

/**
 * Propose experiment `id` on `base` (the best, or the node the search strategy chose) in `site.dir`, then guard and commit the change. The worktree
 * is left at the commit (or back at the base when nothing usable was proposed).
 */
export async function propose(ctx: ProposalContext, site: ProposalSite, id: number, chosen: Experiment, conflict: ProposalConflict | null = null, usageBefore: TokenUsage | null = null): Promise<ProposalResult> {
  const { config, paths, tag, projectDir } = ctx;
  const proposedAt = isoNow();
  const t0 = Date.now();
  let base = chosen;
  let asked: AskOutcome;
  let fresh = site.at !== undefined && site.at === base.commit;
  for (;;) {
    if (!fresh) await resetTo(site.dir, base.commit!, config.files.linked);
    fresh = false;
    asked = await ask(ctx, site, id, base, conflict);
    if (asked.kind !== 'exhausted') break;
    // Nothing new to try from this node: the strategy passes it over and chooses again (search-base.ts); the run
    // is exhausted only when every node it would choose is spent (greedy has only the best). The caller reads
    // the base the proposal was made on from `made`.
    markExhausted(ctx.record, base.id);
    const next = chooseBase({ record: ctx.record, slot: null, id });
    if (isExhausted(ctx.record, next.base.id)) break;
    base = next.base;
  }
  const parentCommit = base.commit!;
  const proposalMs = Date.now() - t0;
  if (asked.kind !== 'proposal') return asked;
  const proposal = asked.proposal;
  const usage = usageBefore ? addUsage(usageBefore, proposal.usage) : proposal.usage;

  let transcriptPath: string | null = null;
  if (proposal.transcript !== null && proposal.transcript !== undefined) {
    transcriptPath = paths.transcriptRel(id);
    // Whatever the proposer redacted itself, the app's secrets never reach a transcript on disk.
    await writeFileAtomic(paths.abs(transcriptPath), JSON.stringify(redactDeep(proposal.transcript), null, 1)).catch(() => {
      transcriptPath = null;
    });
  }
  const description = oneLine(proposal.description) || '(no description)';
  // What the prompt said of the base (ask), kept with the experiment for History.
  const baseWhy = baseWhyFor(ctx.record, id, base);
  const made = (commit: string | null, changedFiles: readonly string[], changedLines: number, rejectedReason: string | null, refSet?: Promise<void>, scratch?: ScratchLeft): ProposalResult => ({
    kind: 'made',
    ...(refSet ? { refSet } : {}),
    ...(scratch ? { scratch } : {}),
    made: {
      id,
      baseId: base.id,
      parentCommit,
      commit,
      description,
      hypothesis: proposal.hypothesis,
      usage,
      proposedAt,
      proposalMs,
      changedFiles: [...changedFiles],
      changedLines,
      transcriptPath,
      rejectedReason,
      ...(baseWhy ? { baseWhy } : {}),
    },
  });
  const reject = async (reason: string, files: readonly string[] = []) => {
    await resetTo(site.dir, parentCommit, config.files.linked).catch(() => undefined);
    return made(null, files, 0, reason);
  };
  if (proposal.rejectedReason) return reject(proposal.rejectedReason);
  // Every proposer's change passes the same guard: editable files only, protected files intact, size cap.
  const check = await guardDiff({ worktree: site.dir, config, protectedHashes: ctx.protectedHashes() });
  if (!check.ok) return reject(check.reason, check.changedFiles);

  const message = experimentCommitMessage(tag, id, description, proposal.hypothesis);
  // In a proposal worktree the harness writes the commit itself (two git processes fewer per experiment); what
  // that does not handle, and a slot's own worktree, git commits.
  const fast = site.scratch ? await commitOnBase(site.dir, parentCommit, check.changedFiles, message).catch(() => null) : null;
  const commit = fast?.commit ?? (await commitPaths(site.dir, check.changedFiles, message));
  // What the proposer left beside its change (ignored files, caches, a planted .pth) does not run.
  await cleanWorktree(site.dir, config.files.linked, { nothingUntracked: !check.leftovers && !fast?.addedLeft });
  // Not waited for here: whoever starts the experiment waits for it, beside the slot's reset (a failure is seen
  // there; marked handled now, as a proposal the run stops before taking is never started).
  const refSet = moveRef(projectDir, candidateRef(tag, id), commit);
  refSet.catch(() => undefined);
  return made(commit, check.changedFiles, check.changedLines, null, refSet, fast && !fast.addedLeft ? { base: parentCommit, paths: check.changedFiles } : undefined);
}
