import path from 'node:path';
import { withStopSignals } from '../stop-signals.js';
import { AuditError, auditRun, DEFAULT_AUDIT_REPEATS } from '../../core/loop/audit-run.js';
import { listRunTags, readRunRecord, RunNotFoundError } from '../../core/journal/read.js';
import { RunLockedError } from '../../core/project/run-lock.js';
import { assertProjectDir } from '../../core/project/project-info.js';
import { describeAudit, describeAuditSetting, describeRecorded } from '../../shared/audit-text.js';
import { intOption, parseCommandArgs } from '../args.js';
import { CliError } from '../io.js';
import type { Command } from './index.js';
import { refuseUntrusted } from './trust-gate.js';
import { plural } from '../../shared/wording.js';

const USAGE = `Usage: autoresearch audit [DIR] [--tag TAG] [--repeats K] [--json]

Runs the run's baseline commit and its best commit again, K times each (default ${DEFAULT_AUDIT_REPEATS}), interleaved
(baseline, best, baseline, best, …) in the run's slots, and prints the improvement with a 95 % interval.
The audit is recorded in the run's journal; \`autoresearch report\` shows it. DIR defaults to the current
folder, TAG to the newest run. The run must not be live.`;

export const auditCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { tag: { type: 'string' }, repeats: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    const dir = await assertProjectDir(path.resolve(io.cwd, positionals[0] ?? '.')).catch((err: Error) => {
      throw new CliError(err.message);
    });
    // An audit runs the trainer again.
    await refuseUntrusted(dir, io);
    const tag = typeof values.tag === 'string' ? values.tag : (await listRunTags(dir))[0];
    if (!tag) throw new CliError(`There are no runs in ${dir} yet. Start one with \`autoresearch run\`, then audit its result.`);
    const repeats = intOption(values.repeats, '--repeats', 2, 100) ?? DEFAULT_AUDIT_REPEATS;
    const json = values.json === true;
    try {
      if (!json) io.out(`Auditing run ${tag}: the baseline and the best, ${plural(repeats, 'run')} each, interleaved…\n`);
      const audit = await withStopSignals((signal) =>
        auditRun({
          projectDir: dir,
          tag,
          repeats,
          env: process.env,
          nodePath: process.execPath,
          signal,
          onProgress: (p) => {
            if (json) return;
            io.out(`  pair ${p.pair + 1}/${repeats} ${p.side.padEnd(8)} ${p.value !== null ? p.value : `failed: ${p.error}`}\n`);
          },
        }),
      );
      if (json) io.out(JSON.stringify(audit) + '\n');
      else {
        const { direction } = (await readRunRecord(dir, tag)).config.metric;
        const recorded = describeRecorded(audit, direction);
        io.out(`\nAudit of run ${tag}: ${describeAuditSetting(audit)}.\n  ${describeAudit(audit, direction)}.\n${recorded ? `  For comparison, ${recorded}.\n` : ''}  Recorded in the journal; \`autoresearch report\` shows it.\n`);
      }
      return 0;
    } catch (err) {
      if (err instanceof AuditError || err instanceof RunLockedError || err instanceof RunNotFoundError) throw new CliError(err.message);
      throw err;
    }
  },
};
