// Which measured experiment a new proposal starts from: the search strategy's one decision (config `search`,
// issue #25). Every place that makes a proposal asks here (a slot proposing for itself in experiment-start.ts,
// a proposer working ahead in proposal-queue.ts), so a strategy is one function and the prompt can say which
// node it starts from and why.
// - greedy (autoresearch's loop): always the best.
// - tree: any measured node that could lead somewhere (a keep, or a discard that improved on its own base or
//   came within the noise of the best), by UCB: a node's measured value (scaled 0..1 between the worst and the
//   best such node) plus exploration × √(ln N / (1 + proposals started from it)). Deterministic: the same
//   journal gives the same choice (ties go to the better metric, then the older node).
// - islands: experiment ids are dealt round-robin to K islands (K = the slots, at least 2); each island climbs
//   from its own best node since the last migration; every `migrateEvery` experiments every island restarts
//   from the run's best (the best migrates).
// A candidate is still judged against the run's best (decide.ts); the run branch moves only on a keep.
// On a plateau (no keep in `plateauAfter` experiments) every strategy widens: greedy and islands alternate a
// step back along their line with a restart from their head and a "try something different" note; tree
// doubles its exploration weight. proposal.ts tells the agent about the plateau (plateauOf).
import { SearchSchema, type SearchConfig } from '../../shared/config-search.js';
import { improvement, type Experiment } from '../../shared/experiment.js';
import type { RunRecord } from '../journal/fold.js';

export interface ChosenBase {
  /** The measured experiment the proposal starts from (its commit is the proposal's parent). */
  readonly base: Experiment;
  /** Why this node, in a sentence for the agent's prompt and the journal; null for the plain greedy case. */
  readonly why: string | null;
}

export interface BaseRequest {
  readonly record: RunRecord;
  /** The slot proposing for itself, or null for a proposer working ahead. */
  readonly slot: number | null;
  /** The experiment id the proposal will get. */
  readonly id: number;
}

/** The run has gone `since` experiments without a keep; `closest`: the discarded ideas that came nearest the best. */
export interface Plateau {
  readonly since: number;
  readonly closest: readonly Experiment[];
}

/** How many of the closest discards the prompt shows on a plateau. */
const CLOSEST_SHOWN = 3;

export function searchOf(record: Pick<RunRecord, 'config'>): SearchConfig {
  return record.config?.search ?? SearchSchema.parse({});
}

/**
 * Whether a winning candidate whose base is no longer the best is carried onto the best (a three-way merge)
 * before it is kept. Greedy: yes, so no kept change is dropped. tree and islands: no, a node's line is measured
 * as it is; the run branch then moves to the better line.
 */
export function carriesOntoBest(record: Pick<RunRecord, 'config'>): boolean {
  return searchOf(record).strategy === 'greedy';
}

// Per run (keyed by the record, shared by the slots and the proposers working ahead).
const exhaustedNodes = new WeakMap<object, Set<number>>();
const choices = new WeakMap<object, Map<number, ChosenBase>>();

/** The proposer has nothing new to try from `id`: later choices pass it over (the best stays, as a last resort). */
export function markExhausted(record: RunRecord, id: number): void {
  const set = exhaustedNodes.get(record) ?? new Set<number>();
  set.add(id);
  exhaustedNodes.set(record, set);
}

export function isExhausted(record: RunRecord, id: number): boolean {
  return exhaustedNodes.get(record)?.has(id) ?? false;
}

/** The last choice made for proposal `id` (proposal.ts reads its `why` for the prompt). */
export function choiceFor(record: RunRecord, id: number): ChosenBase | null {
  return choices.get(record)?.get(id) ?? null;
}

/** The node a proposal starts from, and why. */
export function chooseBase(req: BaseRequest): ChosenBase {
  const chosen = choose(req);
  remember(req, chosen);
  return chosen;
}

/**
 * A speculative base (docs/decisions.md, "Pipelined proposals"): while conflicts are frequent, the spare proposer
 * starts from the candidate a slot is measuring now (the newest running one with a commit), so that whichever way
 * its decision goes one ready proposal applies cleanly: this one if it is kept, the regular one (on the best) if
 * not (this one is then dropped: carried onto the best it would bring the discarded change along). Greedy only, and not on a plateau: tree and islands choose their nodes on purpose, and a plateau widens
 * on purpose too. Null when there is no such candidate (the caller asks chooseBase, as for any proposal).
 */
export function chooseSpeculativeBase(req: BaseRequest): ChosenBase | null {
  const { record } = req;
  if (record.bestId === null || searchOf(record).strategy !== 'greedy' || plateauOf(record) !== null) return null;
  let newest: Experiment | null = null;
  for (const e of record.experiments.values()) {
    if (e.kind === 'candidate' && e.status === 'running' && e.commit !== null && e.id !== req.id && (!newest || e.id > newest.id)) newest = e;
  }
  if (!newest) return null;
  const chosen: ChosenBase = {
    base: newest,
    why: `Proposals made ahead have often conflicted with the change kept while they waited, so this one starts from experiment ${newest.id}, which is being measured now: if it is kept, your change runs on it as it is; if it is discarded, your change is dropped (another proposal made on the best runs instead).`,
  };
  remember(req, chosen);
  return chosen;
}

/**
 * The base of a proposal made again after its carry onto the best conflicted: the best, whatever the strategy or a
 * plateau would choose. Only greedy carries (and so conflicts), and made on an earlier node again (a plateau's step
 * back, which lasts until an experiment ends) it would conflict again the same way: with edits to one line, every
 * proposal was dropped and none ran, for as long as the run went on.
 */
export function chooseRemakeBase(req: BaseRequest): ChosenBase {
  const { record } = req;
  const best = record.bestId === null ? undefined : record.experiments.get(record.bestId);
  if (!best) return chooseBase(req);
  const chosen: ChosenBase = { base: best, why: `Made again on the best (experiment ${best.id}): the change made earlier conflicted with it.` };
  remember(req, chosen);
  return chosen;
}

/** Keeps the choice for proposal.ts (choiceFor) to read. */
function remember(req: BaseRequest, chosen: ChosenBase): void {
  const map = choices.get(req.record) ?? new Map<number, ChosenBase>();
  map.set(req.id, chosen);
  // Only the recent choices matter (a proposal reads its own right after choosing).
  if (map.size > 64) map.delete(map.keys().next().value!);
  choices.set(req.record, map);
}

function choose(req: BaseRequest): ChosenBase {
  const { record } = req;
  // Proposing while the baseline's repeats run (run.ts): the unchanged code is the only node there is.
  if (record.bestId === null) {
    const baseline = record.experiments.get(0);
    if (baseline) return { base: baseline, why: null };
  }
  const best = record.experiments.get(record.bestId!)!;
  const search = searchOf(record);
  const plateau = plateauOf(record);
  const step = plateau ? plateau.since - search.plateauAfter : -1;
  switch (search.strategy) {
    case 'greedy':
      return plateau ? widen(record, best, step, plateau, 'the best') : { base: best, why: null };
    case 'tree':
      return ucb(record, search, plateau);
    case 'islands':
      return island(record, search, req.id, plateau, step);
  }
}

const measuredOk = (e: Experiment) => e.metric !== null && Number.isFinite(e.metric) && e.commit !== null;

/**
 * No keep in the last `plateauAfter` finished candidates (id order), or null. Failures count: a run that only
 * crashes is stuck too.
 */
export function plateauOf(record: RunRecord): Plateau | null {
  const after = searchOf(record).plateauAfter;
  let since = 0;
  const discards: Experiment[] = [];
  const finished = [...record.experiments.values()].filter((e) => e.kind === 'candidate' && e.status !== 'running' && e.status !== 'interrupted').sort((a, b) => a.id - b.id);
  for (let i = finished.length - 1; i >= 0; i--) {
    const e = finished[i]!;
    if (e.status === 'keep') break;
    since += 1;
    if (e.status === 'discard' && measuredOk(e)) discards.push(e);
  }
  if (since < after || record.best === null) return null;
  const dir = record.config.metric.direction;
  const closest = discards.sort((a, b) => improvement(b.metric!, record.best!, dir) - improvement(a.metric!, record.best!, dir) || a.id - b.id).slice(0, CLOSEST_SHOWN);
  return { since, closest };
}

/** The kept line behind `head`: its base, that one's base, … (nearest first), measured nodes only. */
function lineBehind(record: RunRecord, head: Experiment): Experiment[] {
  const out: Experiment[] = [];
  const seen = new Set<number>([head.id]);
  for (let at = head.baseId; at !== null && !seen.has(at); ) {
    const e = record.experiments.get(at);
    if (!e || !measuredOk(e)) break;
    seen.add(at);
    out.push(e);
    at = e.baseId;
  }
  return out;
}

/**
 * A plateau widens a single line: odd steps go back along the line behind `head` (one node further each time,
 * round the line), even steps restart from `head` with a note to try something different.
 */
function widen(record: RunRecord, head: Experiment, step: number, plateau: Plateau, headName: string): ChosenBase {
  const behind = lineBehind(record, head).filter((e) => !isExhausted(record, e.id));
  const stuck = `No keep in the last ${plateau.since} experiments`;
  if (step % 2 === 1 && behind.length > 0) {
    const back = behind[Math.floor(step / 2) % behind.length]!;
    return { base: back, why: `${stuck}: stepping back to experiment ${back.id}, an earlier node on the line of ${headName} (#${head.id}), to try a direction not taken from there.` };
  }
  return { base: head, why: `${stuck}: starting again from ${headName} (#${head.id}); try something different from the ideas discarded lately.` };
}

/** Nodes a tree proposal may start from: keeps, the baseline, and discards that came close. */
function treeNodes(record: RunRecord): Experiment[] {
  const dir = record.config.metric.direction;
  const margin = 2 * (record.noiseFloor ?? 0);
  return [...record.experiments.values()].filter((e) => {
    if (!measuredOk(e) || isExhausted(record, e.id)) return false;
    if (e.kind === 'baseline' || e.status === 'keep') return true;
    if (e.status !== 'discard') return false;
    const base = e.baseId !== null ? record.experiments.get(e.baseId) : undefined;
    const beatBase = base !== undefined && base.metric !== null && improvement(e.metric!, base.metric, dir) > 0;
    return beatBase || improvement(e.metric!, record.best!, dir) >= -margin;
  });
}

/** Proposals started from each node: measured, running, or made and waiting for a slot. */
function visitsOf(record: RunRecord): Map<number, number> {
  const visits = new Map<number, number>();
  const add = (id: number | null) => id !== null && visits.set(id, (visits.get(id) ?? 0) + 1);
  for (const e of record.experiments.values()) if (e.kind === 'candidate' && e.status !== 'interrupted') add(e.baseId);
  for (const p of record.queuedProposals.values()) add(p.baseId);
  return visits;
}

function ucb(record: RunRecord, search: SearchConfig, plateau: Plateau | null): ChosenBase {
  const best = record.experiments.get(record.bestId!)!;
  const nodes = treeNodes(record);
  if (nodes.length === 0) return { base: best, why: null };
  const dir = record.config.metric.direction;
  const visits = visitsOf(record);
  const values = nodes.map((e) => e.metric!);
  const top = dir === 'min' ? Math.min(...values) : Math.max(...values);
  const bottom = dir === 'min' ? Math.max(...values) : Math.min(...values);
  const range = Math.abs(top - bottom);
  const total = nodes.reduce((s, e) => s + (visits.get(e.id) ?? 0), 0);
  const c = search.exploration * (plateau ? 2 : 1);
  const scored = nodes.map((e) => {
    const value = range > 0 ? improvement(e.metric!, bottom, dir) / range : 1;
    const n = visits.get(e.id) ?? 0;
    return { e, n, score: value + c * Math.sqrt(Math.log(total + 1) / (n + 1)) };
  });
  scored.sort((a, b) => b.score - a.score || improvement(a.e.metric!, b.e.metric!, dir) * -1 || a.e.id - b.e.id);
  const pick = scored[0]!;
  const stuck = plateau ? `No keep in the last ${plateau.since} experiments, so the search explores more widely. ` : '';
  const what = pick.e.id === best.id ? 'the best' : pick.e.status === 'discard' ? `a discarded experiment that came close (${pick.e.metric} against the best ${record.best})` : `an earlier kept experiment (${pick.e.metric})`;
  const tried = `${pick.n} proposal${pick.n === 1 ? '' : 's'} started from it so far`;
  return { base: pick.e, why: `${stuck}Tree search chose experiment ${pick.e.id}, ${what}: it balances how well a node measured against how little was tried from it (${tried}).` };
}

function island(record: RunRecord, search: SearchConfig, id: number, plateau: Plateau | null, step: number): ChosenBase {
  const best = record.experiments.get(record.bestId!)!;
  const k = Math.max(2, record.config.slots.length);
  const which = id % k;
  const epochStart = Math.floor(id / search.migrateEvery) * search.migrateEvery;
  const dir = record.config.metric.direction;
  // Where every island stood at the last migration: the best kept before it (keeps only ever improve).
  let seed: Experiment | null = null;
  for (const e of record.experiments.values()) {
    if ((e.kind === 'baseline' || e.status === 'keep') && e.id < Math.max(1, epochStart) && measuredOk(e) && (!seed || e.id > seed.id)) seed = e;
  }
  seed ??= best;
  // The island's head: its best measured node since the migration (a discard counts: it is the island's own line).
  let head = seed;
  for (const e of record.experiments.values()) {
    if (e.kind !== 'candidate' || e.id < epochStart || e.id % k !== which || !measuredOk(e) || isExhausted(record, e.id)) continue;
    if (e.status !== 'keep' && e.status !== 'discard') continue;
    if (improvement(e.metric!, head.metric!, dir) > 0) head = e;
  }
  if (isExhausted(record, head.id)) head = best;
  const name = `island ${which + 1} of ${k}`;
  if (plateau) return widen(record, head, step, plateau, `the head of ${name}`);
  const migrated = head.id === seed.id && epochStart > 0 ? ` (every island restarted from the best at experiment ${epochStart})` : '';
  return { base: head, why: `Islands: this proposal belongs to ${name}, which climbs from its own best node, experiment ${head.id}${migrated}.` };
}
