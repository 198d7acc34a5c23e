// The ablation's section of both reports: which kept changes carry the result (runs/<tag>/ablation.json, made by
// `autoresearch ablate` or the History's Ablate button). One table, keep by keep, the same words as the CLI and the app.
import { describeAblationSetting, describeVerdict, formatContribution, formatInterval, type Ablation } from '../../shared/ablation.js';
import { escapeHtml as e, escapeMarkdownInline as md } from './escape.js';

const when = (a: Ablation) => new Date(a.at).toISOString().slice(0, 16).replace('T', ' ');

/** Said when the run's best moved after the ablation was made (a resumed run kept more). */
function staleNote(a: Ablation, bestId: number | null): string {
  return bestId !== null && bestId !== a.bestId ? ` Made when the best was #${a.bestId}; the best is now #${bestId}: run \`autoresearch ablate --tag ${a.tag}\` again.` : '';
}

const intro = (a: Ablation) =>
  `Each kept change left out of the best (#${a.bestId}) and measured against it, ${describeAblationSetting(a)}. Contribution = how much worse the best is without it (${a.metric}; positive = the keep helped), with a 95 % interval; ${when(a)} UTC.`;

export function ablationMarkdown(a: Ablation | null, bestId: number | null): string[] {
  if (!a) return [];
  const lines = ['## Ablation: which keeps carry the result', '', md(intro(a)) + staleNote(a, bestId), '', '| keep | description | contribution | 95 % interval | verdict |', '| ---: | --- | ---: | --- | --- |'];
  for (const r of a.rows) {
    const verdict = r.verdict === 'carries' ? `**${describeVerdict(r)}**` : describeVerdict(r);
    lines.push(`| ${r.id} | ${md(r.description)} | ${formatContribution(r.contribution)} | ${formatInterval(r)} | ${verdict}${r.reason ? ` — ${md(r.reason)}` : ''} |`);
  }
  lines.push('');
  return lines;
}

export function ablationHtml(a: Ablation | null, bestId: number | null): string {
  if (!a) return '';
  const rows = a.rows
    .map((r) => `<tr class="${r.verdict}"><td class="num">#${r.id}</td><td>${e(r.description)}</td><td class="num">${formatContribution(r.contribution)}</td><td class="num">${formatInterval(r)}</td><td><span class="verdict">${e(describeVerdict(r))}</span>${r.reason ? `<div class="meta">${e(r.reason)}</div>` : ''}</td></tr>`)
    .join('');
  return `<section class="ablation" id="ablation"><h2>Ablation: which keeps carry the result</h2><p class="meta">${e(intro(a))}${e(staleNote(a, bestId))}</p><table class="exps"><thead><tr><th>keep</th><th>description</th><th>contribution</th><th>95 % interval</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export const ABLATION_CSS = `
section.ablation table{width:100%}
section.ablation tr.carries .verdict{color:var(--accent);font-weight:650}
section.ablation tr.null .verdict,section.ablation tr.hurts .verdict{color:#9a6700;font-weight:600}
section.ablation tr.did-not-apply .verdict,section.ablation tr.failed .verdict{color:var(--muted)}
`;
