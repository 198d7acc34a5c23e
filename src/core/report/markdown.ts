// The Markdown variant of the report, for a pull request, a wiki or a chat: the same figures as the HTML
// (both read one ReportModel), the kept improvements with their diffs in ```diff fences, and the full
// table. Markdown has no inline SVG, so the chart becomes two text sparklines.
import { describeAudit, describeAuditSetting, describeRecorded } from '../../shared/audit-text.js';
import { describeConfidence } from '../../shared/experiment.js';
import { ablationMarkdown } from './ablation-section.js';
import { escapeMarkdownInline as md, markdownFence } from './escape.js';
import { formatCount, formatDurationMs, formatHours, formatMetric, formatUsd, shortCommit } from './format.js';
import { directionWords, type ReportModel } from './model.js';
import { slotUsageTable } from '../../shared/slot-usage.js';
import { formatChange, formatEstimate, formatKeepRate, formatNotebookKeepRate, GLOSSARY, runImprovement } from '../../shared/wording.js';

const BARS = '▁▂▃▄▅▆▇█';

/**
 * One character per bucket of experiments. `better` puts the best values on the tall bars whatever the
 * direction, so "going up" always reads as progress.
 */
export function sparkline(values: readonly (number | null)[], width: number, lo: number, hi: number, better: 'min' | 'max'): string {
  if (values.length === 0) return '';
  const buckets = Math.min(width, values.length);
  let out = '';
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * values.length) / buckets);
    const end = Math.floor(((b + 1) * values.length) / buckets);
    let v: number | null = null;
    for (let i = start; i < end; i++) {
      const x = values[i];
      if (x === null || x === undefined) continue;
      if (v === null || (better === 'min' ? x < v : x > v)) v = x;
    }
    if (v === null) {
      out += ' ';
      continue;
    }
    const clamped = Math.min(hi, Math.max(lo, v));
    const t = hi > lo ? (clamped - lo) / (hi - lo) : 0.5;
    const level = better === 'min' ? 1 - t : t;
    out += BARS[Math.min(BARS.length - 1, Math.max(0, Math.round(level * (BARS.length - 1))))];
  }
  return out;
}

const GLOSSARY_TERMS = ['change', 'kept', 'keepRate', 'notebookKeepRate'] as const;

function summaryTable(model: ReportModel): string {
  const f = model.figures;
  const c = f.counts;
  const tsv = model.source.kind === 'tsv';
  const missing = tsv ? 'not in results.tsv' : 'not recorded';
  const rows: [string, string][] = [
    ['Baseline', `${formatMetric(f.baseline)}${f.baselineId !== null ? ` (#${f.baselineId})` : ''}`],
    ['Best', `${formatEstimate(f.best, f.bestRuns)}${f.bestId !== null ? ` (#${f.bestId})` : ''}`],
    ['Improvement', formatChange(runImprovement(f.baseline, f.best, model.direction))],
    ['Experiments', `${formatCount(f.experiments)} (baseline included${c.running ? `, ${c.running} still running` : ''})`],
    ['Kept', `${formatCount(f.keptImprovements)} (baseline not counted)`],
    ['Keep rate', `${formatKeepRate(f)}; baseline not counted, crashes count as tried`],
    ['Keep rate (autoresearch notebook)', `${formatNotebookKeepRate(f)}; baseline counted, crashes excluded`],
    ['Crashes', `${formatCount(c.crash)}${c.timeout ? `, ${c.timeout} timeouts` : ''}${c.rejected ? `, ${c.rejected} rejected` : ''}`],
    ['GPU hours', f.gpuHours === null ? `— (${missing})` : formatHours(f.gpuHours)],
    ['Spend', f.spendUsd === null ? `— (${missing})` : `${formatUsd(f.spendUsd)} (${formatCount(f.inputTokens + f.outputTokens)} tokens)`],
  ];
  if (model.noiseFloor !== null) rows.push(['Noise floor', `±${formatMetric(model.noiseFloor)} (std. dev. of baseline runs)`]);
  if (f.bestConfidence) rows.push(["Best's confidence", `${describeConfidence(f.bestConfidence)}${f.keptWithinNoise ? `; ${formatCount(f.keptWithinNoise)} keep${f.keptWithinNoise === 1 ? '' : 's'} within the noise` : ''}`]);
  const table = ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${md(v)} |`)].join('\n');
  return `${table}\n\n${GLOSSARY_TERMS.map((t) => `- ${md(GLOSSARY[t])}`).join('\n')}`;
}

function progressSection(model: ReportModel): string {
  const p = model.progress;
  const lines = [`## Progress`, '', `**${md(model.chartTitle)}**`, ''];
  if (!p.yDomain) {
    lines.push('No experiment produced a metric yet.');
    return lines.join('\n');
  }
  // The first keep usually dwarfs the rest; scale from the first improvement to the best so the later
  // steps stay visible (the baseline is clamped to the lowest bar).
  const improved = p.kept.filter((k) => !k.isBaseline);
  const best = p.bestSteps[p.bestSteps.length - 1]!.y;
  const from = improved.length >= 2 ? improved[0]!.y : (p.kept[0]?.y ?? p.yDomain[1]);
  const lo = Math.min(from, best);
  const hi = Math.max(from, best);
  const width = 72;
  const per = Math.ceil(p.points.length / width);
  lines.push(
    `Each character is ${per > 1 ? `${per} experiments` : 'one experiment'}; taller = better (${directionWords(model.direction)}), from ${formatMetric(from)} to ${formatMetric(best)}. ` +
      'Second line: * a kept improvement, x a failed run, . discarded only.',
    '',
    '```text',
    `best so far  ${sparkline(p.runningBest, width, lo, hi, model.direction)}`,
    `events       ${eventLine(model, width)}`,
    '```',
    '',
    'The HTML report has the full chart (kept improvements labelled, discards, failures and the running best).',
  );
  return lines.join('\n');
}

function eventLine(model: ReportModel, width: number): string {
  const points = model.progress.points;
  const buckets = Math.min(width, points.length);
  let out = '';
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * points.length) / buckets);
    const end = Math.floor(((b + 1) * points.length) / buckets);
    let mark = ' ';
    for (let i = start; i < end; i++) {
      const pt = points[i]!;
      if (pt.status === 'keep' && !pt.isBaseline) mark = '*';
      else if ((pt.status === 'crash' || pt.status === 'timeout' || pt.status === 'rejected') && mark !== '*') mark = 'x';
      else if (mark === ' ') mark = '.';
    }
    out += mark;
  }
  return out;
}

function improvementsSection(model: ReportModel): string {
  const out = [`## Kept improvements (${formatCount(model.improvements.length)})`, ''];
  if (model.improvements.length === 0) {
    out.push('No improvement was kept: the baseline is still the best.');
    return out.join('\n');
  }
  const nothingToUnfold = model.improvements.every((k) => k.diff === null && !k.hypothesis && !k.diffNote);
  if (nothingToUnfold) {
    // A results.tsv import: no diffs, so one dense table says it all.
    if (model.source.kind === 'tsv') out.push("A results.tsv records no diffs; open each commit in the project's repository to see its change.", '');
    out.push(`| # | description | ${md(model.metricName)} | change | commit |`, '| ---: | --- | ---: | --- | --- |');
    for (const k of model.improvements) {
      const change = k.change ? formatChange(k.change) : '';
      const commit = k.commit ? `\`${shortCommit(k.commit).replace(/`/g, '')}\`` : '';
      out.push(`| ${k.id} | ${md(k.description)} | ${formatMetric(k.metric)} | ${md(change)} | ${commit} |`);
    }
    return out.join('\n');
  }
  for (const k of model.improvements) {
    const gain = k.change ? ` ${formatChange(k.change)}` : '';
    out.push(`### #${k.id} ${md(k.description || '(no description)')}`, '');
    const meta = [`${md(model.metricName)} **${formatMetric(k.metric)}**${md(gain)}`];
    if (k.previousBest !== null) meta.push(`from ${formatMetric(k.previousBest)}`);
    if (k.confidence) meta.push(k.confidence.label === 'within-noise' ? `**${md(describeConfidence(k.confidence))}**` : md(describeConfidence(k.confidence)));
    if (k.commit) meta.push(`commit \`${shortCommit(k.commit).replace(/`/g, '')}\``);
    if (k.changedFiles.length) meta.push(k.changedFiles.map((f) => md(f)).join(', '));
    out.push(meta.join(' · '), '');
    if (k.hypothesis) out.push(`> ${md(k.hypothesis)}`, '');
    if (k.diff !== null) {
      const fence = markdownFence(k.diff);
      out.push(`${fence}diff`, k.diff.replace(/\n$/, ''), fence, '');
    }
    if (k.diffNote) out.push(`_${md(k.diffNote)}_`, '');
  }
  return out.join('\n').trimEnd();
}

function auditSection(model: ReportModel): string[] {
  const a = model.audit;
  if (!a) return [];
  const recorded = describeRecorded(a, model.direction);
  return ['## Audit of the result', '', `**${md(describeAudit(a, model.direction))}.**`, '', `${md(describeAuditSetting(a))}; ${new Date(a.at).toISOString().slice(0, 16).replace('T', ' ')} UTC.${recorded ? ` For comparison, ${md(recorded)}.` : ''}`, ''];
}

/** The held-out check beside the search metric, with the warning when the gain did not carry over. */
function heldoutSection(model: ReportModel): string[] {
  const h = model.heldout;
  if (!h) return [];
  return ['## Held-out check', '', ...(h.warning ? [`> **Warning:** ${md(h.warning)}`, ''] : []), `${md(h.line)}. The agent never sees this metric; it does not decide what is kept.`, ''];
}

/** Per slot: how busy its trainer was and where the idle time went (shared/slot-usage.ts says what each means). */
function slotUsageSection(model: ReportModel): string[] {
  if (!model.usage) return [];
  const { head, rows } = slotUsageTable(model.usage);
  return [
    '## Slot usage',
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(md).join(' | ')} |`),
    '',
    'Idle time is waiting for the agent (a proposal to be ready), waiting on a proposal that conflicted with a change just kept, or the harness (decisions, commits, resets, checks, the setup, pauses). Confirming is trainer time spent measuring a candidate or the best again.',
    '',
  ];
}

function experimentsTable(model: ReportModel): string {
  const showMemory = model.rows.some((r) => r.memoryGb !== null);
  const showTime = model.rows.some((r) => r.trainingMs !== null);
  const showCost = model.rows.some((r) => r.costUsd !== null);
  const held = model.heldout ? [`held-out ${md(model.heldout.name)}`] : [];
  const head = ['#', 'commit', 'status', md(model.metricName), 'change vs best', ...held, ...(showMemory ? ['memory GB'] : []), ...(showTime ? ['training'] : []), ...(showCost ? ['cost'] : []), 'description'];
  const align = head.map((h, i) => (i === 0 || i === 3 || i === 4 || (held.length > 0 && i === 5) || h === 'memory GB' || h === 'training' || h === 'cost' ? '---:' : '---'));
  const lines = [`## All experiments (${formatCount(model.figures.experiments)})`, '', `| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const r of model.rows) {
    const status = r.isBaseline ? 'baseline' : r.status === 'keep' ? '**keep**' : md(r.status);
    const description = r.error && r.error !== r.description ? `${r.description} — ${r.error}` : r.description;
    const cells = [
      String(r.id),
      r.commit ? `\`${shortCommit(r.commit).replace(/`/g, '')}\`` : '',
      status,
      formatMetric(r.metric),
      r.change ? formatChange(r.change) : '',
      ...(held.length ? [md(r.heldout?.text ?? '')] : []),
      ...(showMemory ? [r.memoryGb === null ? '' : r.memoryGb.toFixed(1)] : []),
      ...(showTime ? [r.trainingMs === null ? '' : formatDurationMs(r.trainingMs)] : []),
      ...(showCost ? [r.costUsd === null ? '' : formatUsd(r.costUsd)] : []),
      md(description),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function renderMarkdownReport(model: ReportModel): string {
  const s = model.source;
  const origin =
    s.kind === 'project'
      ? `Run \`${s.tag.replace(/`/g, '')}\` on branch \`${s.branch.replace(/`/g, '')}\`, proposer ${md(s.proposer)}${s.stopReason ? `, stopped: ${md((s.stopMessage || s.stopReason).replace(/[.\s]+$/, ''))}` : ''}.`
      : `Imported from ${md(s.fileName)}.`;
  const parts = [
    `# ${md(model.title)}`,
    '',
    `${origin} Metric ${md(model.metricName)}, ${directionWords(model.direction)}. Generated ${model.generatedAt}${model.appVersion ? ` by Autoresearch Studio ${md(model.appVersion)}` : ''}.`,
    '',
  ];
  if (model.warnings.length) parts.push(...model.warnings.map((w) => `> **Note:** ${md(w)}`), '');
  parts.push(summaryTable(model), '', ...auditSection(model), ...heldoutSection(model), ...ablationMarkdown(model.ablation, model.bestId), progressSection(model), '', improvementsSection(model), '', ...slotUsageSection(model), experimentsTable(model), '');
  return parts.join('\n');
}
