// What the agent is told. Two parts: the system prompt (the app's rules + program.md) is the same for every
// proposal of a run, so it is cached; the run-state prompt (results so far, best diff, crash tail, steering)
// changes every time. Shared by the claude proposer and the command proposer (agent CLIs).
import { describeAcceptanceRule } from '../../../shared/acceptance-text.js';
import { effectiveTimeoutSeconds, type ProjectConfig } from '../../../shared/config.js';
import { improvement, type Experiment } from '../../../shared/experiment.js';
import type { ProposalContext } from '../proposer.js';
import { MAX_DESCRIPTION_CHARS } from './describe.js';

/** How the agent edits and how it says it is done: through the app's text editor tool, or as an agent CLI. */
export type PromptMode = 'tool' | 'command';

const MAX_DIFF_CHARS = 30_000;
const MAX_CRASH_TAIL_CHARS = 6_000;
const MAX_PROGRAM_CHARS = 60_000;
const MAX_NOTE_CHARS = 2_000;
const TABLE_DESCRIPTION_CHARS = 90;
const TABLE_ERROR_CHARS = 70;

export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-4)) return value.toExponential(4);
  return String(Number(value.toFixed(6)));
}

function signed(value: number): string {
  const s = formatMetric(value);
  return value > 0 ? `+${s}` : s;
}

const list = (globs: readonly string[]) => globs.map((g) => `\`${g}\``).join(', ');

function oneLine(text: string, max: number): string {
  const s = text.replace(/\s+/g, ' ').replace(/\|/g, '/').trim();
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function tail(text: string, max: number): string {
  return text.length <= max ? text : `… (${text.length - max} earlier characters left out)\n${text.slice(-max)}`;
}

function acceptanceRule(config: ProjectConfig): string {
  const { minImprovementMode, minImprovement, confirmRuns, guardCommand } = config.acceptance;
  if (config.acceptance.rule === 'noise-aware') {
    const guard = guardCommand ? ` \`${guardCommand}\` must also pass (exit 0) before a change is kept.` : '';
    return `${describeAcceptanceRule(config.acceptance)} A gain smaller than the noise is reverted, so aim for changes with a clear effect.${guard}`;
  }
  const better = config.metric.direction === 'min' ? 'lower' : 'higher';
  let rule: string;
  if (minImprovement === 0) rule = `a change is kept when ${config.metric.name} is ${better} than the best so far`;
  else if (minImprovementMode === 'absolute') rule = `a change is kept when it improves the best ${config.metric.name} by more than ${minImprovement}`;
  else if (minImprovementMode === 'relative') rule = `a change is kept when it improves the best ${config.metric.name} by more than ${minImprovement * 100}%`;
  else rule = `a change is kept when it improves the best ${config.metric.name} by more than ${minImprovement} × the noise floor (the spread of repeated baseline runs)`;
  const extras = [
    confirmRuns > 0 ? `a narrow win is re-run ${confirmRuns} more time(s) and kept only if the mean still wins` : null,
    guardCommand ? `\`${guardCommand}\` must also pass (exit 0) before a change is kept` : null,
  ].filter(Boolean);
  return `${rule}; otherwise it is reverted${extras.length ? `. Also: ${extras.join('; ')}` : ''}.`;
}

function extractionHint(config: ProjectConfig): string {
  const name = config.metric.name;
  switch (config.metric.extract.kind) {
    case 'line':
      return `a line \`${name}: <number>\` in the output`;
    case 'metric-line':
      return `a line \`METRIC ${name}=<number>\` in the output`;
    case 'regex':
      return `the output, with the pattern \`${config.metric.extract.pattern}\``;
    case 'json':
      return `the key \`${config.metric.extract.key}\` of the JSON file \`${config.metric.extract.file}\``;
  }
}

/** The stable part: the app's rules and program.md. Depends only on the config and program.md. */
export function buildSystemPrompt(ctx: Pick<ProposalContext, 'config' | 'program'>, mode: PromptMode = 'tool'): string {
  const { config } = ctx;
  const { files, metric, budget, agent } = config;
  const better = metric.direction === 'min' ? 'lower' : 'higher';
  const readable = [...files.editable, ...files.context];
  const lines: string[] = [
    'You are the research agent of Autoresearch Studio. It runs the autoresearch loop on this project: you propose one experiment at a time by editing code; the harness commits your change, runs it with a fixed time budget, measures one number, keeps the change if the number improved and reverts it otherwise. This repeats for hours, so every experiment should teach something.',
    '',
    '## Rules (enforced by the harness, not by trust)',
    `- You may edit only: ${list(files.editable)}.`,
    `- You may read: ${list(readable)}${mode === 'tool' ? ', and list the project\'s folders' : ''}.`,
    files.protected.length
      ? `- Protected: ${list(files.protected)}. These are verified byte-identical before every run; a proposal that changes them is rejected.`
      : '- Anything not editable must stay as it is; a proposal that changes it is rejected.',
    mode === 'tool'
      ? '- Paths are relative to the project root, e.g. `' + (files.editable[0] ?? 'train.py') + '`. `..`, paths outside the project and symbolic links are refused.'
      : '- Work only in the current directory (the project). Do not touch files outside it, do not commit, do not create branches, do not install packages.',
    `- You do not run anything. The harness runs \`${config.run.command}\` with a time budget of ${budget.seconds} s (environment variable AUTORESEARCH_TIME_BUDGET); a run still going after ${effectiveTimeoutSeconds(config)} s is killed and counts as a failure.`,
    `- The metric is \`${metric.name}\`: ${better} is better. It is read from ${extractionHint(config)}; the last value printed counts.`,
    `- Acceptance: ${acceptanceRule(config)}`,
    '- A crash, a missing metric, NaN or a timeout is a failure and the change is reverted.',
    '- Changing only the random seed is not an improvement (it re-rolls luck, not the method): such a proposal is rejected.',
    `- At most ${agent.maxDiffLines} changed lines per experiment${mode === 'tool' ? ` and ${agent.maxToolCalls} tool calls per proposal` : ''}.`,
    '',
    '## How to work',
    '- One idea per experiment: a single focused change whose effect can be attributed to it. Several unrelated tweaks at once teach nothing.',
    '- Simplicity criterion: all else being equal, simpler is better. A tiny gain that adds ugly complexity is not worth it; the same result from deleting code is a win.',
    '- Use the history you are given: do not repeat a change that was already discarded or crashed unless you address why it failed. Build on what was kept.',
    '- Changes smaller than the noise floor are indistinguishable from luck; prefer ideas that could matter.',
    '- Keep the code working: read what you change, keep imports and names consistent. A crash wastes a whole run.',
    mode === 'tool'
      ? '- Look at the files with the str_replace_based_edit_tool (view), then change them with str_replace, insert or create.'
      : '- Edit the files in place with your own editing tools.',
    '',
    '## When you are done',
    mode === 'tool'
      ? `Stop calling tools and answer in plain text. The first line is the experiment's one-line description (under ${MAX_DESCRIPTION_CHARS} characters, no markdown, e.g. "Lower the learning rate from 0.04 to 0.03"). The following lines are your hypothesis: why you expect ${metric.name} to improve. If you make no change, the proposal is recorded as rejected.`
      : `End your answer with exactly these two lines:\nDESCRIPTION: <the experiment in one line, under ${MAX_DESCRIPTION_CHARS} characters, e.g. Lower the learning rate from 0.04 to 0.03>\nHYPOTHESIS: <why you expect ${metric.name} to improve>`,
  ];
  const program = ctx.program.trim();
  lines.push(
    '',
    "## program.md (the researcher's instructions; the rules above take precedence)",
    program ? tail(program, MAX_PROGRAM_CHARS) : '(program.md is empty: use your judgement to improve the metric)',
  );
  return lines.join('\n');
}

function statusCell(e: Experiment): string {
  if (e.kind === 'baseline') return 'baseline';
  return e.status;
}

function historyTable(ctx: ProposalContext): string[] {
  const limit = ctx.config.agent.historyLimit;
  const finished = ctx.history.filter((e) => e.status !== 'running');
  if (limit === 0 || finished.length === 0) return [];
  const shown = finished.slice(-limit);
  const direction = ctx.config.metric.direction;
  const rows = shown.map((e) => {
    const delta = e.metric !== null && e.bestBefore !== null ? signed(improvement(e.metric, e.bestBefore, direction)) : '-';
    const why = e.status === 'crash' || e.status === 'timeout' || e.status === 'rejected' || e.status === 'stopped-early' ? (e.error ? ` [${oneLine(e.error, TABLE_ERROR_CHARS)}]` : '') : '';
    return `| ${e.id} | ${statusCell(e)} | ${formatMetric(e.metric)} | ${delta} | ${oneLine(e.description || '(no description)', TABLE_DESCRIPTION_CHARS)}${why} |`;
  });
  const omitted = finished.length - shown.length;
  return [
    `## Experiments so far${omitted > 0 ? ` (the last ${shown.length}; ${omitted} earlier ones left out)` : ''}`,
    `Δ = improvement over the best at the time (positive is better). Statuses: keep (became the new best), discard (no improvement, reverted), crash, timeout, rejected (broke a rule or changed nothing), interrupted, stopped-early (its learning curve was clearly worse than the best's partway through, so its run was stopped: a discard).`,
    '',
    `| id | status | ${ctx.config.metric.name} | Δ | description |`,
    '|---|---|---|---|---|',
    ...rows,
  ];
}

function countsLine(history: readonly Experiment[]): string {
  const counts = new Map<string, number>();
  for (const e of history) if (e.kind === 'candidate') counts.set(e.status, (counts.get(e.status) ?? 0) + 1);
  const parts = ['keep', 'discard', 'stopped-early', 'crash', 'timeout', 'rejected', 'interrupted']
    .filter((s) => counts.get(s))
    .map((s) => `${counts.get(s)} ${s}`);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return `${total} experiment${total === 1 ? '' : 's'} after the baseline${parts.length ? ` (${parts.join(', ')})` : ''}.`;
}

/** Which node the change starts from, and why (the search strategy's choice, core/loop/search-base.ts). */
function startsFrom(ctx: ProposalContext): string {
  const { base } = ctx;
  const at = `experiment ${base.id}${base.commit ? ` (commit ${base.commit.slice(0, 7)})` : ''}`;
  const isBest = ctx.best !== null && ctx.best.id === base.id;
  // A speculative base (search-base.ts, chooseSpeculativeBase): a candidate still measured, with no result yet.
  const what = isBest
    ? 'the current best'
    : ctx.best === null && base.kind === 'baseline'
      ? 'the unchanged code (the baseline)'
    : base.status === 'running'
      ? `not the current best: experiment ${base.id} is being measured now and has no result yet: ${oneLine(base.description || '(no description)', 200)}. The files you see are that experiment's; your change is still compared with the best`
    : `not the current best: it measured ${formatMetric(base.metric)} (${base.status === 'discard' ? 'discarded' : base.kind === 'baseline' ? 'the baseline' : 'kept earlier'}): ${oneLine(base.description || '(no description)', 200)}. The files you see are that experiment's; your change is still compared with the best`;
  return `- Your change starts from ${at}, ${what}.${ctx.baseWhy ? ` ${oneLine(ctx.baseWhy, 400)}` : ''}`;
}

/** A plateau: no keep for a while. The nearest misses, and a push to change direction. */
function plateauSection(ctx: ProposalContext, plateau: NonNullable<ProposalContext['plateau']>): string[] {
  const direction = ctx.config.metric.direction;
  const best = ctx.best?.metric ?? null;
  const closest = plateau.closest.map((e) => {
    const gap = best !== null && e.metric !== null ? ` (${signed(improvement(e.metric, best, direction))} against the best)` : '';
    return `- ${e.id}: ${formatMetric(e.metric)}${gap}: ${oneLine(e.description || '(no description)', TABLE_DESCRIPTION_CHARS)}`;
  });
  return [
    `## No keep in the last ${plateau.since} experiments: the run is on a plateau`,
    'Small variations of the same ideas have stopped paying off. Try something different: another part of the code, a change of method rather than of a number, or a combination of the ideas that came closest.',
    ...(closest.length ? ['The discarded ideas that came closest to the best:', ...closest] : []),
  ];
}

/** The changing part: where the run stands and what the agent should know before proposing. */
export function buildRunStatePrompt(ctx: ProposalContext): string {
  const { config } = ctx;
  const name = config.metric.name;
  const better = config.metric.direction === 'min' ? 'lower' : 'higher';
  const out: string[] = [`# Experiment ${ctx.experimentId}`, ''];

  out.push('## Where the run stands');
  const baselineMetric = ctx.baseline?.metric ?? null;
  const measuring = ctx.baseline?.status === 'running' ? ctx.baseline.runs.filter((r) => r.metric !== null) : [];
  if (measuring.length > 0) {
    // Proposing while the baseline's repeats still run (they measure the noise): its first runs are all there is.
    out.push(`- Baseline ${name}: still being measured (experiment ${ctx.baseline!.id}); its runs so far gave ${measuring.map((r) => formatMetric(r.metric)).join(', ')}.`);
  } else {
    out.push(`- Baseline ${name}: ${formatMetric(baselineMetric)}${ctx.baseline ? ` (experiment ${ctx.baseline.id})` : ''}`);
  }
  if (ctx.best && ctx.best.metric !== null) {
    const gain = baselineMetric !== null ? improvement(ctx.best.metric, baselineMetric, config.metric.direction) : null;
    const pct = gain !== null && baselineMetric ? ` (${gain > 0 ? '+' : ''}${((gain / Math.abs(baselineMetric)) * 100).toFixed(2)}% vs baseline)` : '';
    out.push(`- Best ${name} so far: ${formatMetric(ctx.best.metric)}, experiment ${ctx.best.id}: ${oneLine(ctx.best.description, 200)}${pct}. ${better[0]!.toUpperCase()}${better.slice(1)} is better.`);
  } else {
    out.push(`- No measured best yet. ${better[0]!.toUpperCase()}${better.slice(1)} is better.`);
  }
  out.push(
    ctx.noiseFloor !== null
      ? `- Noise floor: ${formatMetric(ctx.noiseFloor)} (standard deviation of repeated baseline runs); differences smaller than this may be luck.`
      : '- Noise floor: not measured (the baseline ran once).',
  );
  out.push(startsFrom(ctx));
  out.push(`- ${countsLine(ctx.history)}`);
  out.push('');

  const table = historyTable(ctx);
  if (table.length) out.push(...table, '');

  if (ctx.bestDiff.trim()) {
    out.push(
      '## What the kept changes did so far (diff of the best against the baseline)',
      '```diff',
      ctx.bestDiff.length > MAX_DIFF_CHARS ? `${ctx.bestDiff.slice(0, MAX_DIFF_CHARS)}\n… (diff cut at ${MAX_DIFF_CHARS} characters)` : ctx.bestDiff.trimEnd(),
      '```',
      '',
    );
  } else {
    out.push('## Kept changes so far', 'None yet: the editable files are as in the baseline.', '');
  }

  if (ctx.plateau) out.push(...plateauSection(ctx, ctx.plateau), '');

  const inFlight = ctx.inFlight ?? [];
  if (inFlight.length) {
    out.push(
      '## Experiments in flight (not measured yet)',
      'These are measured now (in this slot or another) or will be soon. Do not propose the same idea again; propose something different.',
      "Their results are not in yet: the previous experiment's result arrives one step late, and your proposal may be carried onto a newer best (one of these, if it is kept).",
      ...inFlight.map((e) => `- ${e.id} (${e.state === 'running' ? 'running' : 'queued'}): ${oneLine(e.description || '(no description)', TABLE_DESCRIPTION_CHARS)}`),
      '',
    );
  }

  if (ctx.conflict) {
    const files = ctx.conflict.files.join(', ') || 'the same lines';
    out.push(
      '## Your earlier proposal for this experiment conflicts with the best',
      `You proposed "${oneLine(ctx.conflict.description, 200)}" on an older best. Experiment ${ctx.conflict.withId ?? '?'} was kept meanwhile and changed ${files} in a way that conflicts with it, so it could not be applied. The files you see now include that kept change: make your idea again on top of it (or a better one).`,
      '',
    );
  }

  if (ctx.lastCrashLogTail && ctx.lastCrashLogTail.trim()) {
    out.push(
      '## Your previous experiment in this slot crashed',
      'The end of its log (fix the cause if it was a simple bug in that idea, or move on to another idea):',
      '```',
      tail(ctx.lastCrashLogTail.trimEnd(), MAX_CRASH_TAIL_CHARS),
      '```',
      '',
    );
  }

  const notes = ctx.steering.map((n) => n.trim()).filter(Boolean);
  if (notes.length) {
    out.push(
      "## Steering notes from the researcher (newest last; they take precedence over program.md's suggestions)",
      ...notes.map((n) => `- ${oneLine(n, MAX_NOTE_CHARS)}`),
      '',
    );
  }

  out.push('## Your task', `Propose experiment ${ctx.experimentId}: one idea that you expect to make ${name} ${better}, implemented in the editable files. Then finish as the rules say.`);
  return out.join('\n');
}
