// `autoresearch report`: write a run's report (self-contained HTML or Markdown), or build one from any
// autoresearch results.tsv.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Direction } from '../../shared/progress.js';
import { listRunTags, RunNotFoundError } from '../../core/journal/read.js';
import { defaultReportPath, exportRunReport, renderReport, writeReportFile, type ReportFormat } from '../../core/report/export.js';
import { reportInputFromTsv } from '../../core/report/load-tsv.js';
import { buildReportModel } from '../../core/report/model.js';
import { ResultsTsvError } from '../../core/report/read-results-tsv.js';
import { CliError, type CliIo } from '../io.js';
import type { Command } from './index.js';

const HELP = `Usage:
  autoresearch report [DIR] [--tag TAG] [--out FILE] [--format html|md]
  autoresearch report --from-tsv FILE [--out FILE] [--format html|md] [--metric-direction min|max]

Writes a self-contained report: the summary (baseline → best, improvement, experiments, keep rate,
crashes, GPU hours, spend), the progress chart, every kept improvement with its diff, and the full
experiment table. The HTML file needs no network; the Markdown variant suits pull requests and wikis.

Options:
  DIR                      the project folder (default: the current folder)
  --tag TAG                the run (default: the newest run)
  --out FILE               where to write (default: DIR/.autoresearch/reports/<tag>.<format>;
                           with --from-tsv: <name of the tsv>-report.<format> in the current folder)
  --format html|md         default: html, or md when --out ends in .md
  --from-tsv FILE          build the report from a results.tsv instead of a run's journal
  --metric-direction D     min (lower is better) or max (higher is better); needed with --from-tsv
                           unless the metric's name says it (loss, bpb, error, time... mean min)
  -h, --help               show this help
`;

function parseFormat(format: string | undefined, out: string | undefined): ReportFormat {
  const fromOut = out ? (/\.(md|markdown)$/i.test(out) ? 'md' : /\.html?$/i.test(out) ? 'html' : null) : null;
  if (format === undefined) return fromOut ?? 'html';
  if (format !== 'html' && format !== 'md') throw new CliError(`--format must be html or md, not "${format}".`);
  if (fromOut && fromOut !== format) {
    throw new CliError(`--format ${format} does not match --out ${out}. Use a .${format} file name, or leave --format out.`);
  }
  return format;
}

function parseDirection(value: string | undefined): Direction | null {
  if (value === undefined) return null;
  if (value === 'min' || value === 'max') return value;
  throw new CliError(`--metric-direction must be min (lower is better) or max (higher is better), not "${value}".`);
}

async function reportFromTsv(io: CliIo, file: string, out: string | undefined, format: ReportFormat, direction: Direction | null): Promise<number> {
  const tsvPath = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(tsvPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`There is no file ${tsvPath}. Check the path given to --from-tsv.`);
    if (code === 'EISDIR') throw new CliError(`${tsvPath} is a folder; --from-tsv needs the results.tsv file inside it.`);
    throw new CliError(`Cannot read ${tsvPath}: ${(err as Error).message}`);
  }
  let input;
  try {
    input = reportInputFromTsv(text, { fileName: path.basename(tsvPath), direction, appVersion: io.appVersion });
  } catch (err) {
    if (err instanceof ResultsTsvError) throw new CliError(`${path.basename(tsvPath)}: ${err.message}`);
    throw err;
  }
  const outFile = path.resolve(io.cwd, out ?? `${path.basename(tsvPath).replace(/\.(tsv|txt)$/i, '')}-report.${format}`);
  const model = buildReportModel(input);
  await writeOut(outFile, renderReport(model, format));
  for (const w of model.warnings) io.err(`warning: ${w}\n`);
  io.out(`${outFile}\n`);
  return 0;
}

async function writeOut(file: string, content: string): Promise<void> {
  try {
    await writeReportFile(file, content);
  } catch (err) {
    throw new CliError(`Cannot write ${file}: ${(err as Error).message}. Choose another place with --out.`);
  }
}

async function reportFromRun(io: CliIo, dirArg: string | undefined, tagArg: string | undefined, out: string | undefined, format: ReportFormat): Promise<number> {
  const dir = path.resolve(io.cwd, dirArg ?? '.');
  const info = await stat(dir).catch(() => null);
  if (!info) throw new CliError(`There is no folder ${dir}. Give the project's folder, or run the command inside it.`);
  if (!info.isDirectory()) {
    const hint = /\.tsv$/i.test(dir) ? ` To build a report from a results.tsv, use: autoresearch report --from-tsv ${dirArg}` : '';
    throw new CliError(`${dir} is not a folder.${hint}`);
  }
  let tag = tagArg;
  if (!tag) {
    const tags = await listRunTags(dir);
    if (tags.length === 0) {
      throw new CliError(
        `There are no runs in ${dir} yet. Start one with \`autoresearch run\`, or build a report from a results.tsv with \`autoresearch report --from-tsv FILE\`.`,
      );
    }
    tag = tags[0]!;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(tag)) throw new CliError(`"${tag}" is not a run tag (letters, digits, . _ -). List the runs with \`autoresearch status\`.`);
  try {
    const outFile = out ? path.resolve(io.cwd, out) : defaultReportPath(dir, tag, format);
    const written = await exportRunReport(dir, tag, format, { appVersion: io.appVersion, out: outFile }).catch((err: unknown) => {
      if (err instanceof RunNotFoundError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EPERM') {
        throw new CliError(`Cannot write ${outFile}: ${(err as Error).message}. Choose another place with --out.`);
      }
      throw err;
    });
    io.out(`${written.path}\n`);
    return 0;
  } catch (err) {
    if (err instanceof RunNotFoundError) {
      const tags = await listRunTags(dir);
      throw new CliError(`${err.message}${tags.length ? ` Runs here: ${tags.join(', ')}.` : ''}`);
    }
    throw err;
  }
}

export const reportCommand: Command = {
  async run(argv, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
          tag: { type: 'string' },
          out: { type: 'string', short: 'o' },
          format: { type: 'string' },
          'from-tsv': { type: 'string' },
          'metric-direction': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (err) {
      throw new CliError(`${(err as Error).message}\n\n${HELP}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    if (positionals.length > 1) throw new CliError(`Give one project folder, not ${positionals.length} (${positionals.join(' ')}).\n\n${HELP}`);
    const format = parseFormat(values.format, values.out);
    const direction = parseDirection(values['metric-direction']);
    const fromTsv = values['from-tsv'];
    if (fromTsv !== undefined) {
      if (positionals.length || values.tag) throw new CliError('--from-tsv builds the report from the file alone; leave out the project folder and --tag.');
      return reportFromTsv(io, fromTsv, values.out, format, direction);
    }
    if (direction) throw new CliError("--metric-direction is for --from-tsv; a run's direction comes from its config.");
    return reportFromRun(io, positionals[0], values.tag, values.out, format);
  },
};
