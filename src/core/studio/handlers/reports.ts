// What a finished run becomes: a report, a results.tsv's report, a branch of its kept changes, an audit.
import { AuditError, auditRun } from '../../loop/audit-run.js';
import { FinalizeError, finalizeRun } from '../../finalize/finalize-run.js';
import { RunLockedError } from '../../project/run-lock.js';
import { exportRunReport, renderReport, renderRunReport } from '../../report/export.js';
import { reportInputFromTsv } from '../../report/load-tsv.js';
import { buildReportModel } from '../../report/model.js';
import { ResultsTsvError } from '../../report/read-results-tsv.js';
import type { Handlers, StudioContext } from '../context.js';
import { fail } from '../errors.js';
import { requireTrusted } from './trust.js';

export function reportHandlers(ctx: StudioContext): Handlers<'exportReport' | 'previewReport' | 'reportFromTsv' | 'finalizeRun' | 'auditRun'> {
  const { deps, env, session, runs } = ctx;
  return {
    exportReport: async ({ tag, format }) => {
      const p = session.require();
      await runs.readRecord(tag);
      return exportRunReport(p.dir, tag, format);
    },
    previewReport: async ({ tag }) => {
      const p = session.require();
      await runs.readRecord(tag);
      return { content: await renderRunReport(p.dir, tag, 'html') };
    },
    reportFromTsv: async ({ text, fileName, format, direction }) => {
      // The same model and renderers as `autoresearch report --from-tsv`, so the app shows the same report.
      try {
        const input = reportInputFromTsv(text, { fileName, direction: direction ?? null, appVersion: deps.app.version });
        const stem = fileName.replace(/\.tsv$/i, '') || 'results';
        return { fileName: `${stem}-report.${format}`, content: renderReport(buildReportModel(input), format) };
      } catch (err) {
        if (err instanceof ResultsTsvError) {
          // The CLI's advice names its flag; in the app the direction is a choice next to the button.
          throw fail(`${fileName}: ${err.message.replace(/Pass --metric-direction min \((.*?)\) or --metric-direction max \((.*?)\)\./, 'Choose "lower is better" ($1) or "higher is better" ($2) and open the file again.')}`, 'invalid-args');
        }
        throw err;
      }
    },
    finalizeRun: async ({ tag, branch, squash, minConfidence, minContribution }) => {
      const p = session.require();
      await runs.readRecord(tag);
      return finalizeRun({ projectDir: p.dir, tag, ...(branch ? { branch } : {}), ...(squash ? { squash } : {}), ...(minConfidence !== undefined ? { minConfidence } : {}), ...(minContribution !== undefined ? { minContribution } : {}) }).catch((err: Error) => {
        throw err instanceof FinalizeError ? fail(err.message, 'conflict') : err;
      });
    },
    auditRun: async ({ tag, repeats }) => {
      const p = session.require();
      await runs.readRecord(tag);
      // An audit runs the trainer again.
      await requireTrusted(ctx, p.dir);
      // The run lock names this process for a run it owns, so it would not keep the two apart here: refuse first,
      // and hold the project so a Start during the audit is refused too.
      const owned = ctx.live.owned();
      if (owned && owned.projectDir === p.dir && owned.state() !== 'stopped') throw fail(`Run ${owned.tag} of this project is live; stop it before auditing (the audit runs the trainer in the same slots).`, 'conflict');
      const busy = `Run ${tag} is being audited; wait for it to finish, then start.`;
      return ctx.starts
        .hold(p.dir, busy, () => auditRun({ projectDir: p.dir, tag, ...(repeats ? { repeats } : {}), env, nodePath: deps.nodePath ?? process.execPath, ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}) }), (message) => fail(message, 'conflict'))
        .catch((err: Error) => {
          throw err instanceof AuditError || err instanceof RunLockedError ? fail(err.message, 'conflict') : err;
        });
    },
  };
}
