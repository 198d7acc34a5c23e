// createStudio: the Api implemented over the engine. One instance per app (Electron main, or
// `autoresearch serve`); it owns the open project, the live run, the GPU poller and the event log.
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  ApiError,
  type Api,
  type ApiKeyStatus,
  type ApiResults,
  type DiffResult,
  type FileEntry,
  type GpuStat,
  type LiveRun,
  type ProjectInfo,
  type RunDetail,
  type RunSummary,
  type StudioEventBody,
} from '../../shared/api.js';
import { describeConfigErrors, parseConfig, type ProjectConfig, type SlotConfig } from '../../shared/config.js';
import type { Experiment } from '../../shared/experiment.js';
import { experimentChange, formatChange, formatMetric } from '../../shared/wording.js';
import { apiBaseUrl } from '../agent/claude/base-url.js';
import { executorFor } from '../exec/executor-for-slot.js';
import { sandboxMode, sandboxWarning } from '../exec/sandbox.js';
import { createProposer, ProposerSetupError } from '../agent/create-proposer.js';
import { diffCommits, diffNumstat } from '../git/diff.js';
import { gitInit } from '../git/init.js';
import { listProjectFiles } from '../git/list-files.js';
import { gpuHostsOf, queryRemoteGpus, startGpuPoller } from '../gpu/index.js';
import { queryGpus } from '../gpu/index.js';
import { summarize, toRunDetail, toRunDetailWith, type RunRecord } from '../journal/fold.js';
import { approvalsNeedRows, listRunTags, readRunRecord, readRunView, RunNotFoundError, type RunView } from '../journal/read.js';
import { logStats, readLogLines, readTail } from '../logs/log-lines.js';
import { OutsideRunFolderError, resolveRunFile } from '../logs/run-file.js';
import { isLockLive, readLock, RunLockedError } from '../project/run-lock.js';
import { whyNotSignal } from '../loop/run-owner.js';
import { addSteeringNote } from '../loop/steer-note.js';
import { answerApproval, ApprovalError, readProposalFiles } from '../loop/approval-answer.js';
import { startRun, RunStartError } from '../loop/start-run.js';
import type { LoopEvent, ProposerName, RunHandle } from '../loop/types.js';
import { testMetricOnText } from '../metric/index.js';
import { saveConfig } from '../project/config-file.js';
import { validateSetup } from '../project/validate-setup.js';
import { createDemoProject } from '../project/demo.js';
import { projectPaths, runPaths } from '../project/paths.js';
import { ProgramFileError, readProgramFile, writeProgramFile } from '../project/program-file.js';
import { readProjectInfo } from '../project/project-info.js';
import { exportRunReport, renderReport } from '../report/export.js';
import { reportInputFromTsv } from '../report/load-tsv.js';
import { buildReportModel } from '../report/model.js';
import { ResultsTsvError } from '../report/read-results-tsv.js';
import { FinalizeError, finalizeRun } from '../finalize/finalize-run.js';
import { AuditError, auditRun } from '../loop/audit-run.js';
import { createEventLog } from './event-log.js';
import { watchExternalRun, type ExternalRunWatcher } from './external-run.js';
import { addRecent, readRecent } from './recent-projects.js';
import { createStartGuard } from './start-guard.js';
import type { Studio, StudioDeps } from './studio.js';

export type { Studio, StudioDeps, SecretStore, SleepInhibitor } from './studio.js';
export { createEnvSecretStore } from './env-secrets.js';

const GPU_POLL_MS = 3000;

const fail = (message: string, code: ApiError['code'] = 'failed') => new ApiError({ message, code });

export async function createStudio(deps: StudioDeps): Promise<Studio> {
  const env = deps.env ?? process.env;
  const events = createEventLog();
  let project: ProjectInfo | null = null;
  let run: RunHandle | null = null;
  let unsubscribeRun: (() => void) | null = null;
  let gpus: readonly GpuStat[] = [];
  let recent = await readRecent(deps.dataDir);
  const starts = createStartGuard();
  // Finished runs are read from their journals once and kept until the journal changes.
  const runCache = new Map<string, { size: number; mtimeMs: number; record: RunRecord }>();
  // Summaries and history pages of finished runs come from views (a snapshot's head and the rows asked for),
  // so the run list and the first page of a long run do not wait for the whole fold.
  const viewCache = new Map<string, { size: number; mtimeMs: number; view: RunView }>();

  const push = (body: StudioEventBody) => events.push(body);

  const requireProject = (): ProjectInfo => {
    if (!project) throw fail('Open a project first (Start → open a folder, or try the demo).', 'conflict');
    return project;
  };

  const apiKeyStatus = async (): Promise<ApiKeyStatus> => {
    const key = await deps.secrets.getApiKey();
    const source = deps.secrets.keySource ? await deps.secrets.keySource() : key ? (deps.secrets.fromEnv ? 'env' : 'store') : null;
    let endpoint: ApiKeyStatus['endpoint'];
    try {
      endpoint = { host: apiBaseUrl(env.ANTHROPIC_BASE_URL).host, error: null };
    } catch (err) {
      endpoint = { host: null, error: (err as Error).message };
    }
    return { set: Boolean(key), source: key ? source : null, warning: await deps.secrets.warning(), endpoint };
  };

  const readRecord = async (tag: string): Promise<RunRecord> => {
    const dir = requireProject().dir;
    if (run && run.tag === tag && run.projectDir === dir) return run.record();
    if (external && external.tag === tag) return external.record();
    const file = runPaths(dir, tag).journal;
    const info = await stat(file).catch(() => null);
    if (!info) throw fail(`There is no run "${tag}" in this project.`, 'not-found');
    const hit = runCache.get(`${dir}\0${tag}`);
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return hit.record;
    const record = await readRunRecord(dir, tag).catch((err) => {
      if (err instanceof RunNotFoundError) throw fail(err.message, 'not-found');
      throw err;
    });
    runCache.set(`${dir}\0${tag}`, { size: info.size, mtimeMs: info.mtimeMs, record });
    return record;
  };

  /** A finished run's view, or null for the run this process owns or watches (its record is in memory). */
  const readView = async (tag: string): Promise<RunView | null> => {
    const dir = requireProject().dir;
    if (run && run.tag === tag && run.projectDir === dir) return null;
    if (external && external.tag === tag) return null;
    const full = runCache.get(`${dir}\0${tag}`);
    const info = await stat(runPaths(dir, tag).journal).catch(() => null);
    if (!info) throw fail(`There is no run "${tag}" in this project.`, 'not-found');
    // A full record read earlier is as good as a view.
    if (full && full.size === info.size && full.mtimeMs === info.mtimeMs) return null;
    const hit = viewCache.get(`${dir}\0${tag}`);
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return hit.view;
    const view = await readRunView(dir, tag).catch((err) => {
      if (err instanceof RunNotFoundError) throw fail(err.message, 'not-found');
      throw err;
    });
    if (approvalsNeedRows(view)) return null;
    viewCache.set(`${dir}\0${tag}`, { size: info.size, mtimeMs: info.mtimeMs, view });
    return view;
  };

  const runState = (tag: string) =>
    run && run.tag === tag && project && run.projectDir === project.dir ? run.state() : external && external.tag === tag ? 'running' : 'stopped';

  const listRuns = async (): Promise<RunSummary[]> => {
    if (!project) return [];
    const out: RunSummary[] = [];
    for (const tag of await listRunTags(project.dir)) {
      try {
        const view = await readView(tag);
        out.push(view ? summarize(view.record, runState(tag), view.aggregates) : summarize(await readRecord(tag), runState(tag)));
      } catch {
        // A run that cannot be read is skipped here; opening it says why.
      }
    }
    return out;
  };

  const refreshProject = async () => {
    if (!project) return;
    project = await readProjectInfo(project.dir);
    push({ type: 'project', project });
  };

  // A list read while the user switched projects mixes the two (and the new project pushes its own): drop it.
  const pushRuns = async () => {
    const dir = project?.dir ?? null;
    const runs = await listRuns();
    if ((project?.dir ?? null) === dir) push({ type: 'runs', project: dir, runs });
  };

  const liveOf = (): LiveRun | null => (run && project && run.projectDir === project.dir ? run.live() : (external?.live() ?? null));

  const openProject = async (dir: string): Promise<ProjectInfo> => {
    const abs = path.resolve(dir);
    // Checked again after the folder is read: a Start pressed meanwhile belongs to the project still open.
    const refuseSwitch = () => {
      if (run && run.state() !== 'stopped' && run.projectDir !== abs) {
        throw fail(`A run is live in ${run.projectDir}. Stop it before opening another project.`, 'conflict');
      }
      const startingIn = starts.startingIn();
      if (startingIn && startingIn !== abs) throw fail(`A run is starting in ${startingIn}. Wait until it has started (and stop it) before opening another project.`, 'conflict');
    };
    refuseSwitch();
    let info: ProjectInfo;
    try {
      info = await readProjectInfo(abs);
    } catch (err) {
      throw fail((err as Error).message, 'not-found');
    }
    refuseSwitch();
    if (external && project?.dir !== abs) external = null;
    project = info;
    // Said in the same tick as the switch: an answer computed for the new project never reaches the page
    // before the page knows the project changed.
    push({ type: 'project', project });
    const opened = project;
    recent = await addRecent(deps.dataDir, opened.dir);
    push({ type: 'recent', recentProjects: recent });
    await pushRuns();
    if (project?.dir === opened.dir) push({ type: 'live', project: opened.dir, live: liveOf() });
    return opened;
  };

  // GPU telemetry for the dashboard; an empty list where there is no nvidia-smi.
  const poller = startGpuPoller({
    intervalMs: GPU_POLL_MS,
    env,
    // The open project's SSH hosts, over the same shared connection the slots use.
    more: async (signal) => (await Promise.all(gpuHostsOf(project?.config, env).map((h) => queryRemoteGpus(h, { timeoutMs: 10_000, signal })))).flat(),
    onStats: (stats) => {
      if (JSON.stringify(stats) === JSON.stringify(gpus)) return;
      gpus = stats;
      push({ type: 'gpus', gpus });
    },
  });

  /**
   * Turns the loop's events into pushes; shared by a run this process owns and one it watches. The run
   * list changes with every event, so its pushes are capped (the live run's records also come as
   * 'experiment' events).
   */
  const createRelay = (projectDir: string, tag: string, record: () => RunRecord) => {
    let lastRunsPush = 0;
    return (e: LoopEvent) => {
      if (e.kind === 'log') {
        push({ type: 'log', project: projectDir, tag, id: e.id, text: e.text });
        return;
      }
      if (e.kind === 'live') {
        push({ type: 'live', project: projectDir, live: e.live });
        return;
      }
      const ev = e.event;
      switch (ev.type) {
        case 'experiment-start':
        case 'experiment-end':
          push({ type: 'experiment', project: projectDir, tag, experiment: ev.experiment });
          break;
        case 'experiment-proposed':
        // The best measured again: its row shows the new mean at once (the summary follows in pushRuns below).
        case 'best-remeasured':
        case 'approval-answer': {
          const exp = record().experiments.get(ev.id);
          if (exp) push({ type: 'experiment', project: projectDir, tag, experiment: exp });
          break;
        }
        case 'approval-wait': {
          const exp = record().experiments.get(ev.id);
          if (exp) push({ type: 'experiment', project: projectDir, tag, experiment: exp });
          // The desktop notification (Electron passes notify); the page shows its own toast from the push.
          deps.notify?.(`Proposal #${ev.id} waits for your approval`, `${tag}: ${exp?.description ?? ''}`);
          break;
        }
        case 'best':
          if (ev.id !== 0) {
            const summary = summarize(record());
            const exp = record().experiments.get(ev.id);
            const change = exp ? experimentChange(exp, summary.direction) : null;
            deps.notify?.(
              `New best ${summary.metricName}: ${formatMetric(ev.metric)}${change ? `, ${formatChange(change)}` : ''}`,
              `${tag} #${ev.id}: ${exp?.description ?? ''}`,
            );
          }
          break;
        case 'notice':
          if (ev.level !== 'info') push({ type: 'notice', level: ev.level, message: ev.message });
          break;
        default:
          break;
      }
      const now = Date.now();
      // A trainer starting or ending changes the slots' busy and idle clocks (RunSummary.usage): push at once.
      const trainer = (ev.type === 'process-start' && ev.what === 'run') || ev.type === 'process-end';
      if (ev.type === 'experiment-end' || ev.type === 'best' || ev.type === 'best-remeasured' || ev.type === 'run-stop' || ev.type === 'steer' || trainer || now - lastRunsPush > 1000) {
        lastRunsPush = now;
        void pushRuns();
      }
    };
  };

  const attachRun = (handle: RunHandle) => {
    run = handle;
    deps.sleepInhibitor?.acquire();
    unsubscribeRun = handle.subscribe(createRelay(handle.projectDir, handle.tag, () => handle.record()));
    void handle.done.then(async (outcome) => {
      deps.sleepInhibitor?.release();
      unsubscribeRun?.();
      unsubscribeRun = null;
      deps.notify?.(`Run ${handle.tag} stopped`, outcome.message.split('\n')[0] ?? '');
      push({ type: 'notice', level: outcome.reason === 'error' || outcome.reason === 'auth' || outcome.reason === 'failures' ? 'error' : 'info', message: `Run ${handle.tag} stopped: ${outcome.message}` });
      if (run === handle) {
        push({ type: 'live', project: handle.projectDir, live: null });
        run = null;
      }
      runCache.delete(`${handle.projectDir}\0${handle.tag}`);
      viewCache.delete(`${handle.projectDir}\0${handle.tag}`);
      await pushRuns().catch(() => undefined);
    });
  };

  // A run owned by another process (`autoresearch run` in a terminal): followed through its journal.
  let external: ExternalRunWatcher | null = null;
  let checking = false;
  const checkExternalRun = async () => {
    if (checking || !project || run) return;
    checking = true;
    try {
      const dir = project.dir;
      const lock = await readLock(dir);
      const owner = lock && lock.pid !== process.pid && isLockLive(lock) ? lock : null;
      if (external && (!owner || owner.tag !== external.tag || project?.dir !== dir)) {
        const ended = external;
        external = null;
        await ended.poll().catch(() => undefined);
        runCache.delete(`${dir}\0${ended.tag}`);
        viewCache.delete(`${dir}\0${ended.tag}`);
        push({ type: 'live', project: dir, live: null });
        push({ type: 'notice', level: 'info', message: `Run ${ended.tag} (process ${ended.ownerPid}) stopped.` });
        await pushRuns();
      }
      if (owner && !external && project?.dir === dir) {
        let watcher: ExternalRunWatcher | null = null;
        watcher = await watchExternalRun({
          projectDir: dir,
          tag: owner.tag,
          ownerPid: owner.pid,
          onEvent: (e) => relay(e),
          env,
        });
        const relay = createRelay(dir, owner.tag, () => watcher!.record());
        // The user may have opened another project while the journal was read: that one is not this run's.
        if (project?.dir !== dir) return;
        // The owner takes the lock before it writes the journal's first event: followed now, the run would be
        // shown (and cached by the page) as a run with no tag that never receives its experiments. Next tick.
        if (!watcher.record().tag) return;
        external = watcher;
        push({ type: 'live', project: dir, live: watcher.live() });
        await pushRuns();
      } else if (external) {
        await external.poll();
      }
    } catch {
      // A journal caught mid-rename or a vanished folder: try again on the next tick.
    } finally {
      checking = false;
    }
  };
  const externalTimer = setInterval(() => void checkExternalRun(), 1000);
  externalTimer.unref?.();

  const experimentOf = async (tag: string, id: number): Promise<{ record: RunRecord; experiment: Experiment }> => {
    const record = await readRecord(tag);
    const experiment = record.experiments.get(id);
    if (!experiment) throw fail(`Run ${tag} has no experiment #${id}.`, 'not-found');
    return { record, experiment };
  };

  /** A file the journal names, opened only inside the run's folder (the journal is untrusted input). */
  const runFile = (tag: string, rel: string) => {
    const dir = requireProject().dir;
    return resolveRunFile(projectPaths(dir).runsDir, runPaths(dir, tag).dir, rel).catch((err: unknown) => {
      throw err instanceof OutsideRunFolderError ? fail(err.message, 'failed') : err;
    });
  };

  const logFileOf = async (tag: string, id: number, runIndex = 0) => {
    const { experiment } = await experimentOf(tag, id);
    const rel = experiment.runs[runIndex]?.logPath ?? (runIndex === 0 ? experiment.logPath ?? runPaths(requireProject().dir, tag).logRel(id) : runPaths(requireProject().dir, tag).logRel(id, runIndex));
    return { file: await runFile(tag, rel), rel, experiment };
  };

  const handlers: { [M in keyof ApiResults]: (args: never) => Promise<ApiResults[M]> } = {
    snapshot: async () => ({
      seq: events.seq,
      app: deps.app,
      project,
      runs: await listRuns(),
      live: liveOf(),
      gpus,
      recentProjects: recent,
      apiKey: await apiKeyStatus(),
      sandboxWarning: sandboxWarning((await sandboxMode(env)).mode),
    }),
    eventsSince: async ({ seq }: { seq: number }) => events.since(seq),
    openProject: async ({ dir }: { dir: string }) => openProject(dir),
    chooseProject: async () => {
      if (!deps.chooseFolder) {
        throw fail('There is no folder picker in the browser. Type the folder path on the machine that runs autoresearch serve.', 'failed');
      }
      const dir = await deps.chooseFolder();
      return dir ? openProject(dir) : null;
    },
    listFolders: async ({ dir }: { dir: string }) => {
      if (!path.isAbsolute(dir)) throw fail(`Type a full path (starting with ${path.sep}) to see the folders in it.`, 'invalid-args');
      const abs = path.resolve(dir);
      const entries = await readdir(abs, { withFileTypes: true }).catch(() => null);
      if (!entries) throw fail(`${abs} is not a folder that can be read.`, 'not-found');
      const folders = entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort((a, b) => a.localeCompare(b))
        .slice(0, 500);
      return { dir: abs, folders };
    },
    createDemo: async ({ dir }: { dir?: string }) => {
      let target = dir ? path.resolve(dir) : '';
      if (!target) {
        await mkdir(deps.dataDir, { recursive: true });
        const taken = new Set(await readdir(deps.dataDir).catch(() => [] as string[]));
        let n = 1;
        while (taken.has(n === 1 ? 'demo' : `demo-${n}`)) n += 1;
        target = path.join(deps.dataDir, n === 1 ? 'demo' : `demo-${n}`);
      }
      try {
        await createDemoProject(deps.appRoot, target);
      } catch (err) {
        throw fail((err as Error).message, 'conflict');
      }
      return openProject(target);
    },
    gitInit: async () => {
      const p = requireProject();
      if (p.isGit) throw fail(`${p.dir} is already a git repository.`, 'conflict');
      await gitInit(p.dir);
      await refreshProject();
      return project!;
    },
    closeProject: async () => {
      if (run && run.state() !== 'stopped') throw fail('Stop the run before closing the project.', 'conflict');
      if (starts.startingIn()) throw fail('A run is starting. Wait until it has started (and stop it) before closing the project.', 'conflict');
      project = null;
      external = null;
      push({ type: 'project', project: null });
      push({ type: 'runs', project: null, runs: [] });
      return null;
    },
    validateConfig: async ({ config }: { config: unknown }) => {
      const parsed = parseConfig(config);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      // With a project open, also what only this machine can tell (globs, programs on PATH).
      const errors = project ? await validateSetup(project.dir, parsed.config, env) : [];
      return { ok: errors.length === 0, errors };
    },
    saveConfig: async ({ config }: { config: unknown }) => {
      const p = requireProject();
      const parsed = parseConfig(config);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      const problems = await validateSetup(p.dir, parsed.config, env);
      if (problems.length) return { ok: false, errors: problems };
      await saveConfig(p.dir, parsed.config);
      await refreshProject();
      return { ok: true, project: project! };
    },
    testMetric: async ({ metric, text }: { metric: Parameters<typeof testMetricOnText>[0]; text?: string }) => {
      let sample = text;
      if (sample === undefined) {
        const p = requireProject();
        const tags = await listRunTags(p.dir);
        let found: string | null = null;
        for (const tag of tags) {
          const rec = await readRecord(tag);
          const last = [...rec.experiments.values()].reverse().find((e) => e.logPath);
          if (last?.logPath) {
            found = await runFile(tag, last.logPath).catch(() => null);
            if (found) break;
          }
        }
        if (!found) return { value: null, metrics: {}, matched: null, error: 'There is no experiment log yet. Paste some output of your command to test the metric.' };
        sample = await readTail(found, 1024 * 1024).catch(() => '');
      }
      return testMetricOnText(metric, sample);
    },
    testSlot: async ({ slot }: { slot: SlotConfig }) => {
      const p = requireProject();
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
      const p = requireProject();
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
    readProgram: async () => {
      const p = requireProject();
      const text = await readProgramFile(projectPaths(p.dir).program).catch((err: unknown) => {
        if (err instanceof ProgramFileError) throw fail(err.message, 'conflict');
        return null;
      });
      const editable = p.config?.files.editable ?? [];
      return { text: text ?? '', exists: text !== null, editable };
    },
    saveProgram: async ({ text }: { text: string }) => {
      const p = requireProject();
      await writeProgramFile(projectPaths(p.dir).program, text).catch((err: unknown) => {
        throw err instanceof ProgramFileError ? fail(err.message, 'conflict') : err;
      });
      await refreshProject();
      return null;
    },
    startRun: async (args: { tag?: string; proposer?: ProposerName; maxExperiments?: number }) => {
      const p = requireProject();
      // One start at a time: the second of two quick presses is refused here, not begun as a second loop.
      return starts.run(
        p.dir,
        async () => {
          if (run && run.state() !== 'stopped') throw fail(`The run ${run.tag} is already live. Stop it first.`, 'conflict');
          if (!p.config) {
            const why = p.configErrors.length ? `The config is invalid:\n${describeConfigErrors(p.configErrors)}` : 'The project has no config yet.';
            throw fail(`${why} Save the setup first.`, 'conflict');
          }
          try {
            const handle = await startRun({
              projectDir: p.dir,
              ...(args.tag ? { tag: args.tag } : {}),
              ...(args.proposer ? { proposer: args.proposer } : {}),
              ...(args.maxExperiments ? { maxExperiments: args.maxExperiments } : {}),
              // One GPU per slot (or as Setup → Slots says), leased machine-wide exactly as `autoresearch run` does.
              gpus: { where: 'app' },
              deps: {
                env,
                nodePath: deps.nodePath ?? process.execPath,
                ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}),
                appVersion: deps.app.version,
                createProposer: async (name, config) =>
                  createProposer(name, config, {
                    apiKey: await deps.secrets.getApiKey(),
                    baseUrl: env.ANTHROPIC_BASE_URL ?? null,
                    env,
                    keyHint: deps.app.host === 'electron' ? 'set it in Setup → Agent' : 'set it in Setup → Agent (kept in memory) or start the server with ANTHROPIC_API_KEY set',
                  }),
              },
            });
            attachRun(handle);
            push({ type: 'live', project: handle.projectDir, live: handle.live() });
            await pushRuns();
            return { tag: handle.tag };
          } catch (err) {
            if (err instanceof RunStartError || err instanceof RunLockedError || err instanceof ProposerSetupError) throw fail(err.message, 'conflict');
            throw err;
          }
        },
        (message) => fail(message, 'conflict'),
      );
    },
    pauseRun: async () => {
      if (external) throw fail(`The run ${external.tag} was started outside this app (process ${external.ownerPid}); pause is not available for it. Stop it, or steer it.`, 'conflict');
      if (!run) throw fail('No run is live.', 'conflict');
      run.pause();
      return null;
    },
    resumeRun: async () => {
      if (!run) throw fail('No run is live. Start it again (with the same tag) to continue it.', 'conflict');
      run.resume();
      return null;
    },
    stopRun: async () => {
      if (external) {
        // The CLI stops cleanly on SIGTERM: its experiments are killed and recorded as interrupted. The pid comes
        // from run.lock, a file anyone could have written: signal it only if it is this machine's run owner.
        const lock = await readLock(requireProject().dir);
        const refused = !lock
          ? 'The run has no lock any more.'
          : lock.pid !== external.ownerPid
            ? 'The run changed its owner meanwhile; try again.'
            : whyNotSignal(lock, runPaths(requireProject().dir, external.tag).journal);
        if (refused) throw fail(refused, 'conflict');
        try {
          process.kill(external.ownerPid, 'SIGTERM');
        } catch (err) {
          throw fail(`Could not stop process ${external.ownerPid}: ${(err as Error).message}`);
        }
        return null;
      }
      if (!run) throw fail('No run is live.', 'conflict');
      const handle = run;
      // Answer at once: killing the experiment can take the grace period; the UI follows the events.
      void handle.stop({ reason: 'user' });
      return null;
    },
    steer: async ({ note }: { note: string }) => {
      if (external) {
        await addSteeringNote(requireProject().dir, external.tag, note);
        return null;
      }
      if (!run) throw fail('No run is live. Start or resume a run to steer it.', 'conflict');
      await run.steer(note);
      return null;
    },
    answerApproval: async ({ tag, id, answer, note, files }: { tag: string; id: number; answer: 'approve' | 'edit' | 'reject'; note?: string; files?: { path: string; content: string }[] }) => {
      const p = requireProject();
      // The same door as `autoresearch approve`: the run's inbox when it is live (here or in another process), else its journal.
      const delivered = await answerApproval(p.dir, tag, { id, answer, note: note ?? null, ...(files ? { files } : {}), by: 'app' }).catch((err: unknown) => {
        throw err instanceof ApprovalError ? fail(err.message, 'conflict') : err;
      });
      return { delivered };
    },
    readProposalFiles: async ({ tag, id }: { tag: string; id: number }) => {
      const p = requireProject();
      const files = await readProposalFiles(p.dir, tag, id).catch((err: unknown) => {
        throw err instanceof ApprovalError ? fail(err.message, 'not-found') : err;
      });
      return { files };
    },
    listRuns: async () => listRuns(),
    getRun: async ({ tag, offset, limit }: { tag: string; offset?: number; limit?: number }) => {
      const from = offset ?? 0;
      const view = await readView(tag);
      if (view) {
        const experiments = await view.page(from, limit ?? view.experimentsTotal);
        const detail = toRunDetailWith(view.record, runState(tag), view.aggregates, experiments);
        return { ...detail, experimentsOffset: from, experimentsTotal: view.experimentsTotal };
      }
      const detail: RunDetail = toRunDetail(await readRecord(tag), runState(tag));
      const experiments = from === 0 && limit === undefined ? detail.experiments : detail.experiments.slice(from, limit === undefined ? undefined : from + limit);
      return { ...detail, experiments, experimentsOffset: from, experimentsTotal: detail.experiments.length };
    },
    getDiff: async ({ tag, id, against }: { tag: string; id: number; against: 'parent' | 'baseline' }): Promise<DiffResult> => {
      const p = requireProject();
      const { record, experiment } = await experimentOf(tag, id);
      const to = experiment.commit;
      const from = against === 'parent' ? experiment.parentCommit : record.startCommit;
      if (!to) return { from, to: '', diff: '', files: [] };
      const [diff, files] = await Promise.all([diffCommits(p.dir, from, to), diffNumstat(p.dir, from, to)]).catch((err: Error) => {
        throw fail(`Cannot read the diff of #${id}: ${err.message}. Its commit may have been garbage-collected.`, 'not-found');
      });
      return { from, to, diff, files };
    },
    logInfo: async ({ tag, id, run: runIndex }: { tag: string; id: number; run?: number }) => {
      const { file, rel, experiment } = await logFileOf(tag, id, runIndex ?? 0);
      const st = await logStats(file).catch(() => ({ bytes: 0, lines: 0 }));
      return { path: rel, bytes: st.bytes, lines: st.lines, growing: experiment.status === 'running' };
    },
    readLogLines: async ({ tag, id, run: runIndex, start, count }: { tag: string; id: number; run?: number; start: number; count: number }) => {
      const { file } = await logFileOf(tag, id, runIndex ?? 0);
      const r = await readLogLines(file, start, count).catch(() => ({ lines: [], totalLines: 0 }));
      return { start, lines: r.lines, totalLines: r.totalLines };
    },
    getTranscript: async ({ tag, id }: { tag: string; id: number }) => {
      const { experiment } = await experimentOf(tag, id);
      if (!experiment.transcriptPath) return null;
      const file = await runFile(tag, experiment.transcriptPath);
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text === null) return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // Never echo the file's content (a parse error quotes its start).
        throw fail(`The transcript of #${id} (${experiment.transcriptPath}) is not valid JSON.`, 'failed');
      }
    },
    exportReport: async ({ tag, format }: { tag: string; format: 'html' | 'md' }) => {
      const p = requireProject();
      await readRecord(tag);
      return exportRunReport(p.dir, tag, format);
    },
    reportFromTsv: async ({ text, fileName, format, direction }: { text: string; fileName: string; format: 'html' | 'md'; direction?: 'min' | 'max' }) => {
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
    finalizeRun: async ({ tag, branch, squash, minConfidence }: { tag: string; branch?: string; squash?: boolean; minConfidence?: number }) => {
      const p = requireProject();
      await readRecord(tag);
      return finalizeRun({ projectDir: p.dir, tag, ...(branch ? { branch } : {}), ...(squash ? { squash } : {}), ...(minConfidence !== undefined ? { minConfidence } : {}) }).catch((err: Error) => {
        throw err instanceof FinalizeError ? fail(err.message, 'conflict') : err;
      });
    },
    auditRun: async ({ tag, repeats }: { tag: string; repeats?: number }) => {
      const p = requireProject();
      await readRecord(tag);
      return auditRun({ projectDir: p.dir, tag, ...(repeats ? { repeats } : {}), env, nodePath: deps.nodePath ?? process.execPath, ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}) }).catch((err: Error) => {
        throw err instanceof AuditError || err instanceof RunLockedError ? fail(err.message, 'conflict') : err;
      });
    },
    setApiKey: async ({ key }: { key: string }) => {
      await deps.secrets.setApiKey(key);
      const status = await apiKeyStatus();
      push({ type: 'apiKey', apiKey: status });
      return status;
    },
    clearApiKey: async () => {
      await deps.secrets.clearApiKey();
      const status = await apiKeyStatus();
      push({ type: 'apiKey', apiKey: status });
      return status;
    },
    listGpus: async () => {
      gpus = await queryGpus({ env });
      return gpus;
    },
  };

  const api = handlers as unknown as Api;

  return {
    api,
    onEvent: (listener) => events.subscribe(listener),
    isRunning: () => run !== null && run.state() !== 'stopped',
    async dispose() {
      poller.stop();
      clearInterval(externalTimer);
      if (run) {
        await run.stop({ reason: 'signal', message: 'The app was closed.' });
      }
    },
  };
}
