// The Setup view: checking and saving the config, testing a metric or a slot, the project's files.
import { readdir } from 'node:fs/promises';
import { parseApiArgs, type FileEntry } from '../../../shared/api.js';
import { parseConfig, type ProjectConfig } from '../../../shared/config.js';
import { executorFor } from '../../exec/executor-for-slot.js';
import { listProjectFiles } from '../../git/list-files.js';
import { listRunTags } from '../../journal/read.js';
import { readTail } from '../../logs/log-lines.js';
import { testMetricOnText } from '../../metric/index.js';
import { testCurveOnText } from '../../loop/early-stop.js';
import { saveConfig } from '../../project/config-file.js';
import { validateSetup } from '../../project/validate-setup.js';
import { readTrust, trustOwnSave } from '../../project/trust.js';
import { trustDir } from './trust.js';
import type { Handlers, StudioContext } from '../context.js';

export function setupHandlers(ctx: StudioContext): Handlers<'validateConfig' | 'saveConfig' | 'testMetric' | 'testCurve' | 'testSlot' | 'listFiles'> {
  const { env, session, runs } = ctx;

  /** The end of the last experiment's log (of any run), or why there is none, said for testing `what`. */
  async function lastLogSample(what: string): Promise<string | { readonly error: string }> {
    const p = session.require();
    let found: string | null = null;
    for (const tag of await listRunTags(p.dir)) {
      const rec = await runs.readRecord(tag);
      const last = [...rec.experiments.values()].reverse().find((e) => e.logPath);
      if (last?.logPath) {
        // A log path that leads out of the run's folder is never read: the next run's log is tried.
        found = await runs.runFile(tag, last.logPath).catch(() => null);
        if (found) break;
      }
    }
    if (!found) return { error: `There is no experiment log yet. Paste some output of your command to test ${what}.` };
    try {
      return await readTail(found, 1024 * 1024);
    } catch (err) {
      // Said as such: an unreadable log would otherwise read as one in which nothing was found.
      return { error: `Cannot read the last experiment's log (${(err as Error).message}). Paste some output of your command to test ${what}.` };
    }
  }

  return {
    validateConfig: async ({ config }) => {
      const parsed = parseConfig(config);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      // With a project open, also what only this machine can tell (globs, programs on PATH).
      const project = session.current();
      const errors = project ? await validateSetup(project.dir, parsed.config, env) : [];
      return { ok: errors.length === 0, errors };
    },
    saveConfig: async ({ config }) => {
      const p = session.require();
      const parsed = parseConfig(config);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      const problems = await validateSetup(p.dir, parsed.config, env);
      if (problems.length) return { ok: false, errors: problems };
      const trustBefore = await readTrust(trustDir(ctx), p.dir);
      await saveConfig(p.dir, parsed.config);
      // What the user typed into Setup and saved is theirs, so the save trusts it; what was already on disk and
      // never approved (or git's program config) still needs the trust panel.
      await trustOwnSave(trustDir(ctx), p.dir, trustBefore);
      await session.refresh();
      return { ok: true, project: session.current()! };
    },
    testMetric: async (args) => {
      // The transports parsed the arguments already (parsing again changes nothing); a caller in this process
      // gets the schema's defaults too (the metric's extraction form), which the metric reader needs.
      const { metric, text } = parseApiArgs('testMetric', args);
      const sample = text ?? (await lastLogSample('the metric'));
      if (typeof sample !== 'string') return { value: null, metrics: {}, matched: null, error: sample.error };
      return testMetricOnText(metric, sample);
    },
    testCurve: async (args) => {
      const { pattern, text } = parseApiArgs('testCurve', args);
      const sample = text ?? (await lastLogSample('the pattern'));
      if (typeof sample !== 'string') return { points: [], matchedLines: 0, axis: null, error: sample.error };
      return testCurveOnText(pattern, sample);
    },
    testSlot: async (args) => {
      // Parsed again for the slot's defaults, as testMetric above.
      const { slot } = parseApiArgs('testSlot', args);
      const p = session.require();
      // Executors read only the linked inputs from the project's config; an unsaved project has none yet.
      const config = p.config ?? ({ files: { linked: [] }, slots: [] } as unknown as ProjectConfig);
      try {
        const executor = executorFor(slot.executor, { projectDir: p.dir, config, env }, 0);
        if (!executor.probe) return { ok: false, command: '', output: `A ${executor.kind} slot cannot be tested from here.` };
        return await executor.probe();
      } catch (err) {
        return { ok: false, command: '', output: (err as Error).message };
      }
    },
    listFiles: async () => {
      const p = session.require();
      if (!p.isGit) {
        // Not a repository yet: list the top of the folder so the form still has something to show.
        const entries = await readdir(p.dir, { withFileTypes: true });
        return {
          files: entries
            .filter((e) => e.name !== '.git' && e.name !== '.autoresearch')
            .map((e): FileEntry => ({ path: e.name, type: e.isDirectory() ? 'dir' : 'file', tracked: false, size: null })),
        };
      }
      const { tracked, untracked } = await listProjectFiles(p.dir);
      const files: FileEntry[] = [];
      const dirs = new Set<string>();
      const add = (f: string, isTracked: boolean) => {
        if (f.startsWith('.autoresearch/')) return;
        const parts = f.split('/');
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
        files.push({ path: f, type: 'file', tracked: isTracked, size: null });
      };
      tracked.forEach((f) => add(f, true));
      untracked.slice(0, 5000).forEach((f) => add(f, false));
      for (const d of dirs) files.push({ path: d, type: 'dir', tracked: true, size: null });
      files.sort((a, b) => a.path.localeCompare(b.path));
      return { files };
    },
  };
}
