// Writing a report to disk: what `autoresearch report` and the Studio's Export button (Api exportReport)
// both call. The file is written next to a temporary name and renamed, so a reader never sees half a report.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { projectPaths } from '../project/paths.js';
import { redact } from '../util/redact.js';
import { writeFileAtomic } from '../util/safe-fs.js';
import { renderHtmlReport } from './html.js';
import { loadReportFromProject, type LoadReportOptions } from './load-project.js';
import { renderMarkdownReport } from './markdown.js';
import { buildReportModel, type ReportModel } from './model.js';

export type ReportFormat = 'html' | 'md';

export interface WrittenReport {
  readonly path: string;
  readonly fileName: string;
  readonly content: string;
}

export function renderReport(model: ReportModel, format: ReportFormat): string {
  return format === 'html' ? renderHtmlReport(model) : renderMarkdownReport(model);
}

/** Write `content` to `file` atomically (temp file + rename), creating the folder. */
export async function writeReportFile(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // A report is shared: the app's secrets never go into one, and a link planted at its name is not followed.
  await writeFileAtomic(file, redact(content));
}

/** The default place of a run's report: .autoresearch/reports/<tag>.html|md. */
export function defaultReportPath(projectDir: string, tag: string, format: ReportFormat): string {
  return path.join(projectPaths(projectDir).reportsDir, `${tag}.${format}`);
}

/**
 * A run's report as it would be written, secrets redacted (the diffs are already; the rest is again, as the file
 * is), without writing it: the Reports view's preview.
 */
export async function renderRunReport(projectDir: string, tag: string, format: ReportFormat, options: LoadReportOptions = {}): Promise<string> {
  const input = await loadReportFromProject(projectDir, tag, options);
  return redact(renderReport(buildReportModel(input), format));
}

export async function exportRunReport(
  projectDir: string,
  tag: string,
  format: ReportFormat,
  options: LoadReportOptions & { readonly out?: string } = {},
): Promise<WrittenReport> {
  // The content handed back (the browser's download) is exactly the file's.
  const content = await renderRunReport(projectDir, tag, format, options);
  const file = path.resolve(options.out ?? defaultReportPath(projectDir, tag, format));
  await writeReportFile(file, content);
  return { path: file, fileName: path.basename(file), content };
}
