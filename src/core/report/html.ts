// The shareable report: one self-contained HTML file (inline CSS, inline SVG, no script, no network, no
// font downloads). A Content-Security-Policy of default-src 'none' makes the "offline" promise hold even
// if something from the data slipped through: the browser would refuse to fetch it.
import { describeAudit, describeAuditSetting, describeRecorded } from '../../shared/audit-text.js';
import { describeConfidence, type ExperimentStatus } from '../../shared/experiment.js';
import { ABLATION_CSS, ablationHtml } from './ablation-section.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatDurationMs, formatHours, formatMetric, formatUsd, shortCommit } from './format.js';
import { slotUsageTable } from '../../shared/slot-usage.js';
import { directionWords, type KeptImprovement, type ReportModel } from './model.js';
import {
  formatChange,
  formatChangeAmount,
  formatEstimate,
  formatKeepRate,
  formatNotebookKeepRate,
  GLOSSARY,
  runImprovement,
  type Change,
  type GlossaryTerm,
} from '../../shared/wording.js';
import { renderProgressSvg } from './progress-svg.js';

export interface HtmlReportOptions {
  /** Passed to the chart: how many kept points get a text label. */
  readonly maxLabels?: number;
}

const e = escapeHtml;

function card(label: string, value: string, sub = '', term?: GlossaryTerm, wide = false): string {
  const title = term ? ` title="${e(GLOSSARY[term])}"` : '';
  return `<div class="card${wide ? ' wide' : ''}"${title}><div class="label">${e(label)}</div><div class="value">${e(value)}</div>${sub ? `<div class="sub">${e(sub)}</div>` : ''}</div>`;
}

/** A change as every place states it, the verdict coloured: "-0.020000 (-2.00 %) better". */
function changeHtml(change: Change | null): string {
  if (!change) return '';
  const cls = change.verdict === 'better' ? 'better' : change.verdict === 'worse' ? 'worse' : 'same';
  return `${e(formatChangeAmount(change))} <span class="${cls}">${e(change.verdict)}</span>`;
}

function sourceLine(model: ReportModel): string {
  const s = model.source;
  const parts: string[] = [];
  if (s.kind === 'project') {
    parts.push(`branch ${s.branch}`, `proposer ${s.proposer}`);
    if (s.stopReason) parts.push(`stopped: ${s.stopMessage || s.stopReason}`);
  } else {
    parts.push(`imported from ${s.fileName}`);
  }
  parts.push(`${model.metricName}, ${directionWords(model.direction)}`);
  parts.push(`generated ${model.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`);
  return parts.map(e).join(' · ');
}

/** The run's improvement, stated as every place states it; the card is wide enough for the whole phrase. */
function improvementCard(model: ReportModel): string {
  const f = model.figures;
  const change = runImprovement(f.baseline, f.best, model.direction);
  if (!change) return card('Improvement', '—', f.baseline === null ? 'no baseline metric' : '', 'improvement');
  return (
    `<div class="card wide" title="${e(GLOSSARY.improvement)}"><div class="label">Improvement</div>` +
    `<div class="value" data-change="${e(formatChange(change))}">${changeHtml(change)}</div><div class="sub">best vs baseline, ${e(model.metricName)}</div></div>`
  );
}

/** "17.6 %" big; "22 kept of 125 tried" and what is counted small (the full definition is the tooltip). */
function rateCard(label: string, text: string, definition: string, term: GlossaryTerm): string {
  const m = /^(.*?) \((.*)\)$/.exec(text);
  return m ? card(label, m[1]!, `${m[2]} · ${definition}`, term, true) : card(label, text, definition, term, true);
}

function summaryCards(model: ReportModel): string {
  const f = model.figures;
  const c = f.counts;
  const tsv = model.source.kind === 'tsv';
  const failuresSub = [c.timeout ? `${c.timeout} timeout${c.timeout === 1 ? '' : 's'}` : '', c.rejected ? `${c.rejected} rejected` : '', c.interrupted ? `${c.interrupted} interrupted` : '']
    .filter(Boolean)
    .join(' · ');
  const cards = [
    card('Baseline', formatMetric(f.baseline), f.baselineId !== null ? `#${f.baselineId}` : 'not measured'),
    card('Best', formatEstimate(f.best, f.bestRuns), f.bestId !== null ? `#${f.bestId}` : ''),
    improvementCard(model),
    card('Experiments', formatCount(f.experiments), c.running ? `baseline included, ${c.running} still running` : 'baseline included', 'experiments'),
    card('Kept', formatCount(f.keptImprovements), 'baseline not counted', 'kept'),
    rateCard('Keep rate', formatKeepRate(f), 'baseline not counted, crashes count as tried', 'keepRate'),
    rateCard('Keep rate (autoresearch notebook)', formatNotebookKeepRate(f), 'baseline counted, crashes excluded', 'notebookKeepRate'),
    card('Crashes', formatCount(c.crash), failuresSub),
    card('GPU hours', formatHours(f.gpuHours), f.gpuHours === null ? (tsv ? 'not in results.tsv' : 'not recorded') : 'training time'),
    card('Spend', formatUsd(f.spendUsd), f.spendUsd === null ? (tsv ? 'not in results.tsv' : 'not recorded') : `${formatCount(f.inputTokens + f.outputTokens)} tokens`),
  ];
  if (model.noiseFloor !== null) cards.push(card('Noise floor', `±${formatMetric(model.noiseFloor)}`, 'std. dev. of baseline runs'));
  if (f.bestConfidence) cards.push(card("Best's confidence", f.bestConfidence.z === null ? f.bestConfidence.label : `${f.bestConfidence.z.toFixed(1)} SE`, f.keptWithinNoise ? `${formatCount(f.keptWithinNoise)} keep${f.keptWithinNoise === 1 ? '' : 's'} within the noise` : describeConfidence(f.bestConfidence)));
  return `<section class="cards">${cards.join('')}</section>`;
}

/** The audit of the result, when one was made: the interval, the verdict, and what the run had claimed. */
function auditHtml(model: ReportModel): string {
  const a = model.audit;
  if (!a) return '';
  const recorded = describeRecorded(a, model.direction);
  return `<section class="audit ${a.confirmed ? 'confirmed' : 'unconfirmed'}" id="audit"><h2>Audit of the result</h2><p><b>${e(describeAudit(a, model.direction))}.</b></p><p class="meta">${e(describeAuditSetting(a))}; ${e(new Date(a.at).toISOString().slice(0, 16).replace('T', ' '))} UTC.${recorded ? ` For comparison, ${e(recorded)}.` : ''}</p></section>`;
}

function diffHtml(diff: string): string {
  const lines = diff.replace(/\n$/, '').split('\n');
  return lines
    .map((line) => {
      let cls = '';
      if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ')) cls = 'dh';
      else if (line.startsWith('@@')) cls = 'dk';
      else if (line.startsWith('+')) cls = 'da';
      else if (line.startsWith('-')) cls = 'dd';
      return cls ? `<span class="${cls}">${e(line)}</span>` : e(line);
    })
    .join('\n');
}

function improvementHtml(model: ReportModel, k: KeptImprovement, index: number): string {
  const gain = changeHtml(k.change);
  const meta: string[] = [];
  if (k.commit) meta.push(`commit <code>${e(shortCommit(k.commit))}</code>`);
  if (k.previousBest !== null) meta.push(`from ${e(formatMetric(k.previousBest))}`);
  if (k.confidence) meta.push(`<span class="${k.confidence.label === 'within-noise' ? 'noise-keep' : 'conf'}">${e(describeConfidence(k.confidence))}</span>`);
  if (k.changedFiles.length) meta.push(`${k.changedFiles.map((f) => `<code>${e(f)}</code>`).join(', ')}`);
  const body: string[] = [];
  if (k.hypothesis) body.push(`<p class="hyp">${e(k.hypothesis)}</p>`);
  if (k.diff !== null) body.push(`<pre class="diff">${diffHtml(k.diff)}</pre>`);
  if (k.diffNote) body.push(`<p class="note">${e(k.diffNote)}</p>`);
  const open = index < 30 ? ' open' : '';
  const summary =
    `<summary><span class="kid">#${e(String(k.id))}</span> <span class="kdesc">${e(k.description || '(no description)')}</span>` +
    `<span class="kval">${e(formatMetric(k.metric))}</span><span class="kgain">${gain}</span>${k.confidence?.label === 'within-noise' ? '<span class="noise-keep" title="Kept, but within the noise: it may be luck"> ≈ noise</span>' : ''}</summary>`;
  // Nothing to unfold (a results.tsv import): one dense line instead of an empty panel.
  if (body.length === 0) {
    return (
      `<div class="kept plain"><span class="kid">#${e(String(k.id))}</span> <span class="kdesc">${e(k.description || '(no description)')}</span>` +
      `<span class="kmeta">${meta.join(' · ')}</span><span class="kval">${e(formatMetric(k.metric))}</span><span class="kgain">${gain}</span></div>`
    );
  }
  return `<details class="kept"${open}>${summary}<div class="kbody"><p class="meta">${meta.join(' · ')}</p>${body.join('')}</div></details>`;
}

const STATUS_CLASS: Record<ExperimentStatus, string> = {
  keep: 's-keep',
  discard: 's-discard',
  crash: 's-fail',
  timeout: 's-fail',
  rejected: 's-fail',
  interrupted: 's-other',
  'stopped-early': 's-discard',
  running: 's-other',
};

/** The held-out check beside the search metric, with the warning when the gain did not carry over. */
/** Per slot: how busy its trainer was and where the idle time went (the same cells as the Markdown report). */
function slotUsageHtml(model: ReportModel): string {
  if (!model.usage) return '';
  const { head, rows } = slotUsageTable(model.usage);
  const cells = (r: readonly string[], tag: 'td' | 'th') => r.map((c, i) => `<${tag}${i > 0 ? ' class="num"' : ''}>${e(c)}</${tag}>`).join('');
  return `<section id="slot-usage"><h2>Slot usage</h2><table><thead><tr>${cells(head, 'th')}</tr></thead><tbody>${rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('')}</tbody></table><p class="meta">Idle time is waiting for the agent (a proposal to be ready), waiting on a proposal that conflicted with a change just kept, or the harness (decisions, commits, resets, checks, the setup, pauses). Confirming is trainer time spent measuring a candidate or the best again.</p></section>`;
}

function heldoutHtml(model: ReportModel): string {
  const h = model.heldout;
  if (!h) return '';
  return `<section class="audit heldout${h.warning ? ' unconfirmed' : ''}" id="heldout"><h2>Held-out check</h2>${h.warning ? `<p class="heldout-warning"><b>${e(h.warning)}</b></p>` : ''}<p>${e(h.line)}. The agent never sees this metric; it does not decide what is kept.</p></section>`;
}

function tableHtml(model: ReportModel): string {
  const showMemory = model.rows.some((r) => r.memoryGb !== null);
  const showTime = model.rows.some((r) => r.trainingMs !== null);
  const showCost = model.rows.some((r) => r.costUsd !== null);
  const head = [
    '<th class="num">#</th>',
    '<th>commit</th>',
    '<th>status</th>',
    `<th class="num">${e(model.metricName)}</th>`,
    `<th class="num" title="${e(GLOSSARY.change)}">change vs best</th>`,
    model.heldout ? `<th class="num">held-out ${e(model.heldout.name)}</th>` : '',
    showMemory ? '<th class="num">memory GB</th>' : '',
    showTime ? '<th class="num">training</th>' : '',
    showCost ? '<th class="num">cost</th>' : '',
    '<th>description</th>',
  ].join('');
  const body = model.rows
    .map((r) => {
      const desc = r.error && r.error !== r.description ? `${e(r.description)} <span class="err">${e(r.error)}</span>` : e(r.description);
      return (
        // Every field is escaped, even those typed as enums and numbers: a report's data comes from files anyone can edit.
        `<tr class="${STATUS_CLASS[r.status] ?? 's-other'}${r.isBaseline ? ' base' : ''}"><td class="num">${e(String(r.id))}</td><td><code>${e(shortCommit(r.commit))}</code></td>` +
        `<td><span class="st">${e(r.isBaseline ? 'baseline' : r.status)}</span></td><td class="num">${e(formatMetric(r.metric))}</td>` +
        `<td class="num change">${changeHtml(r.change)}</td>` +
        (model.heldout ? `<td class="num"${r.heldout?.title ? ` title="${e(r.heldout.title)}"` : ''}>${e(r.heldout?.text ?? '')}</td>` : '') +
        (showMemory ? `<td class="num">${r.memoryGb === null ? '' : e(Number(r.memoryGb).toFixed(1))}</td>` : '') +
        (showTime ? `<td class="num">${r.trainingMs === null ? '' : e(formatDurationMs(r.trainingMs))}</td>` : '') +
        (showCost ? `<td class="num">${r.costUsd === null ? '' : e(formatUsd(r.costUsd))}</td>` : '') +
        `<td class="desc">${desc}</td></tr>`
      );
    })
    .join('\n');
  return `<div class="tablewrap"><table class="exps"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function renderHtmlReport(model: ReportModel, options: HtmlReportOptions = {}): string {
  const f = model.figures;
  const svg = renderProgressSvg(model, { ...(options.maxLabels !== undefined ? { maxLabels: options.maxLabels } : {}) });
  const warnings = model.warnings.length ? `<section class="warnings">${model.warnings.map((w) => `<p>${e(w)}</p>`).join('')}</section>` : '';
  const improvements = model.improvements.length
    ? model.improvements.map((k, i) => improvementHtml(model, k, i)).join('\n')
    : '<p class="note">No improvement was kept: the baseline is still the best.</p>';
  const tsvNote =
    model.source.kind === 'tsv' && model.improvements.length
      ? '<p class="note">A results.tsv records no diffs; open each commit in the project\'s repository to see its change.</p>'
      : '';
  const version = model.appVersion ? ` ${e(model.appVersion)}` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="Autoresearch Studio${version}">
<title>${e(model.chartTitle)} · ${e(model.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${e(model.title)}</h1>
<p class="src">${sourceLine(model)}</p>
</header>
${warnings}
${summaryCards(model)}
${auditHtml(model)}
${heldoutHtml(model)}
${ablationHtml(model.ablation, model.bestId)}
<section class="chart"><figure>${svg}<figcaption>Every experiment by number. Green: kept (the running best steps down${model.direction === 'max' ? ' — up, higher is better' : ''}); grey: discarded; red ×: failed runs on the bottom edge${model.noiseFloor !== null ? '; band: baseline ± noise floor' : ''}. Hover a green dot for its description.</figcaption></figure></section>
<section>
<h2>Kept improvements <span class="count" title="${e(GLOSSARY.kept)}">${formatCount(f.keptImprovements)}</span></h2>
${tsvNote}
${improvements}
</section>
${slotUsageHtml(model)}
<section>
<h2>All experiments <span class="count">${formatCount(f.experiments)}</span></h2>
${tableHtml(model)}
</section>
<footer>Autoresearch Studio${version} · ${e(model.chartTitle)} · this file is self-contained and works offline.</footer>
</body>
</html>
`;
}

const PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--panel:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--accent:#1a7f37;--bad:#cf222e;--code:#f6f8fa;--add:#dafbe1;--del:#ffebe9;--hunk:#ddf4ff}
@media (prefers-color-scheme:dark){:root{--bg:#010409;--panel:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--accent:#3fb950;--bad:#f85149;--code:#161b22;--add:#12261e;--del:#25171c;--hunk:#121d2f}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0 auto;max-width:1280px;padding:24px 28px 40px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{font-size:22px;margin:0 0 4px;font-weight:650;word-break:break-word}
h2{font-size:17px;margin:28px 0 10px;font-weight:650}
h2 .count{font-size:12px;font-weight:600;color:var(--muted);background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:1px 8px;vertical-align:middle}
code,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
.src{margin:0;color:var(--muted)}
.warnings{margin:14px 0;padding:8px 14px;border:1px solid #d4a72c;border-radius:6px;background:rgba(212,167,44,.12)}
.warnings p{margin:4px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));grid-auto-flow:row dense;gap:10px;margin:18px 0}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card .label{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.card .value{font-size:20px;white-space:nowrap;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.card .sub{font-size:12px;color:var(--muted);margin-top:2px}
.chart figure{margin:0;background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:8px}
.chart svg{display:block;width:100%;height:auto}
figcaption{color:var(--muted);font-size:12px;padding:4px 8px 2px}
section.audit{border:1px solid var(--line);border-left:4px solid #2ea043;border-radius:8px;padding:4px 14px;margin:12px 0}
section.audit.unconfirmed{border-left-color:#d29922}
${ABLATION_CSS}details.kept .noise-keep,.kept .noise-keep{color:#9a6700;font-weight:600}
details.kept,.kept.plain{background:var(--panel);border:1px solid var(--line);border-radius:8px;margin:6px 0}
details.kept,.kept.plain{overflow:hidden}
details.kept>summary,.kept.plain{display:flex;gap:10px;align-items:baseline;padding:8px 12px;cursor:pointer;list-style:none}
details.kept>summary::-webkit-details-marker{display:none}
details.kept>summary::before{content:"▸";color:var(--muted);width:.8em;flex:none}
details.kept[open]>summary::before{content:"▾"}
.kept.plain{cursor:default;margin:0;border-radius:0;border-top:0;padding:5px 12px}
.kept.plain:first-of-type{border-top:1px solid var(--line);border-radius:8px 8px 0 0}
.kept.plain:last-of-type{border-radius:0 0 8px 8px}
.kmeta{color:var(--muted);font-size:12px}
.kmeta code{font-size:11.5px}
.kid{color:var(--muted);font-variant-numeric:tabular-nums;min-width:3.2em}
.kdesc{flex:1;font-weight:550;word-break:break-word}
.kval{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.kgain{font-size:12.5px;min-width:13em;text-align:right;font-variant-numeric:tabular-nums}
.kbody{padding:0 12px 10px;border-top:1px solid var(--line)}
.meta{color:var(--muted);font-size:12px;margin:8px 0}
.hyp{margin:6px 0;font-style:italic}
.note{color:var(--muted);font-size:12.5px}
pre.diff{margin:6px 0 0;padding:8px 0;background:var(--code);border:1px solid var(--line);border-radius:6px;overflow:auto;max-height:560px;line-height:1.4}
pre.diff>span{display:inline-block;min-width:100%}
pre.diff{white-space:pre}
pre.diff .da{background:var(--add)}
pre.diff .dd{background:var(--del)}
pre.diff .dk{background:var(--hunk);color:var(--muted)}
pre.diff .dh{color:var(--muted);font-weight:600}
.tablewrap{overflow:auto;background:var(--panel);border:1px solid var(--line);border-radius:8px}
table.exps{border-collapse:collapse;width:100%;font-size:12.5px}
.exps th{position:sticky;top:0;background:var(--panel);text-align:left;font-weight:600;color:var(--muted);border-bottom:1px solid var(--line);padding:6px 8px;white-space:nowrap}
.exps td{padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:top}
.exps tr:last-child td{border-bottom:0}
.exps .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.exps td.num{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.better{color:var(--accent)}
.worse{color:var(--bad)}
.same{color:var(--muted)}
.card.wide{grid-column:span 2}
.exps .desc{word-break:break-word}
.exps .err{color:var(--bad);font-size:11.5px;margin-left:6px}
.st{display:inline-block;border-radius:9px;padding:0 7px;font-size:11.5px;border:1px solid var(--line)}
tr.s-keep .st{background:rgba(46,204,113,.18);border-color:rgba(46,204,113,.5);color:var(--accent);font-weight:600}
tr.s-keep td{background:rgba(46,204,113,.05)}
tr.s-fail .st{background:rgba(214,47,47,.12);border-color:rgba(214,47,47,.45);color:var(--bad)}
tr.s-discard{color:var(--muted)}
footer{margin-top:28px;color:var(--muted);font-size:12px}
@media print{body{background:#fff;max-width:none}details.kept{break-inside:avoid}.tablewrap{overflow:visible}.exps th{position:static}}
`;
