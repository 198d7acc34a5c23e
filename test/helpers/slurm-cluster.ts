// A real single-node Slurm cluster for tests: Debian's slurm-wlm and munge, a slurm.conf for this machine in a
// temp folder (no accounting, proctrack/linuxproc, task/none), its own munged, slurmctld and slurmd on free
// ports, and everything stopped afterwards. Nothing on the machine's own Slurm or munge setup is touched.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const DAEMONS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'sinfo', 'scontrol'];

const have = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    return true;
  } catch {
    return false;
  }
};

/**
 * Slurm and munge, installed with apt-get if missing. Returns why not when they cannot be had; under CI
 * (CI=true) that is an error instead, so the tests cannot silently skip there.
 */
export async function ensureSlurm(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (DAEMONS.every(have)) return { ok: true };
  let reason: string;
  if (process.getuid?.() !== 0) reason = 'slurm-wlm and munge are not installed and installing them needs root';
  else {
    try {
      await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-q', 'slurm-wlm', 'munge'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
      if (DAEMONS.every(have)) return { ok: true };
      reason = 'apt-get installed slurm-wlm and munge but their programs are not on PATH';
    } catch (err) {
      reason = `apt-get could not install slurm-wlm and munge: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  if (process.env.CI === 'true') throw new Error(`The Slurm tests must run under CI: ${reason}`);
  return { ok: false, reason };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function gpuCount(): number {
  try {
    return execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l.startsWith('GPU ')).length;
  } catch {
    return 0;
  }
}

export interface SlurmCluster {
  readonly dir: string;
  /** The environment for Slurm's tools and the app: SLURM_CONF points at this cluster. */
  readonly env: NodeJS.ProcessEnv;
  readonly conf: string;
  readonly partition: string;
  readonly node: string;
  readonly cpus: number;
  readonly gpus: number;
  /** Runs a Slurm tool against this cluster. */
  tool(cmd: string, args: readonly string[]): Promise<string>;
  /** Ids of the jobs the controller lists as active (PENDING, RUNNING, COMPLETING...). */
  activeJobs(): Promise<string[]>;
  /** Cancels every job, stops the daemons, removes the folder; safe to call twice. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

/** util-linux's setpriv: a daemon started through it gets SIGKILL when the test process dies, even by kill -9. */
const SETPRIV = have('setpriv');

function spawnDaemon(file: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  const [cmd, argv] = SETPRIV ? ['setpriv', ['--pdeathsig', 'KILL', '--', file, ...args]] : [file, args];
  const child = spawn(cmd, argv, { env, stdio: ['ignore', fd, fd] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    // A test process that dies before its afterAll must not leave daemons behind.
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

export async function startSlurmCluster(): Promise<SlurmCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ar-slurm-'));
  chmodSync(dir, 0o755);
  const node = execFileSync('hostname', ['-s'], { encoding: 'utf8' }).trim();
  const cpus = os.availableParallelism();
  const gpus = gpuCount();
  const partition = 'test';
  for (const sub of ['state', 'spool', 'log']) mkdirSync(path.join(dir, sub));
  const mungeDir = path.join(dir, 'munge');
  mkdirSync(mungeDir, { mode: 0o755 });
  const socket = path.join(mungeDir, 'munge.socket');
  const [ctlPort, dPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=artest',
      `SlurmctldHost=${node}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPort=${ctlPort}`,
      `SlurmdPort=${dPort}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'SchedulerType=sched/builtin',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'MpiDefault=none',
      'ReturnToService=2',
      // Quick ends: a cancelled job's processes get SIGKILL 2 s after SIGTERM.
      'KillWait=2',
      'MinJobAge=300',
      'InactiveLimit=0',
      'SlurmctldTimeout=30',
      'SlurmdTimeout=30',
      ...(gpus > 0 ? ['GresTypes=gpu'] : []),
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus}${gpus > 0 ? ` Gres=gpu:${gpus}` : ''} State=UNKNOWN`,
      `PartitionName=${partition} Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  if (gpus > 0) writeFileSync(path.join(dir, 'gres.conf'), `Name=gpu File=/dev/nvidia[0-${gpus - 1}]\n`);

  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };
  const children: ChildProcess[] = [];
  const tool = async (cmd: string, args: readonly string[]) => (await run(cmd, [...args], { env, timeout: 30_000 })).stdout;
  const activeJobs = async () =>
    (await tool('squeue', ['--noheader', '--states=all', '--format=%i|%T']))
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('|'))
      .filter(([, s]) => ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED'].includes(s!))
      .map(([id]) => id!);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Jobs first (their slurmstepd processes are not children of slurmd), then the daemons.
    await tool('scancel', ['--full', '--user=root']).catch(() => undefined);
    for (let i = 0; i < 40; i++) {
      const active = await activeJobs().catch(() => []);
      if (active.length === 0) break;
      await sleep(250);
    }
    for (const child of [...children].reverse()) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const key = path.join(mungeDir, 'munge.key');
    execFileSync('mungekey', ['--create', `--keyfile=${key}`], { env, stdio: 'ignore' });
    chmodSync(key, 0o600);
    children.push(
      spawnDaemon('munged', ['--foreground', '--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${mungeDir}/munged.pid`, `--log-file=${mungeDir}/munged.log`, `--seed-file=${mungeDir}/munged.seed`], env, path.join(dir, 'log', 'munged.out')),
    );
    for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(100);
    if (!existsSync(socket)) throw new Error(`munged did not start; see ${mungeDir}/munged.log`);
    children.push(spawnDaemon('slurmctld', ['-D', '-i', '-f', conf], env, path.join(dir, 'log', 'slurmctld.out')));
    children.push(spawnDaemon('slurmd', ['-D', '-f', conf], env, path.join(dir, 'log', 'slurmd.out')));
    // Ready when the node is idle.
    let last = '';
    for (let i = 0; i < 240; i++) {
      last = await tool('sinfo', ['--noheader', '--Node', '--format=%t']).catch((err: Error) => err.message);
      if (last.trim() === 'idle') break;
      for (const c of children) if (c.exitCode !== null) throw new Error(`A Slurm daemon exited during start (code ${c.exitCode}); logs in ${dir}/log`);
      await sleep(250);
    }
    if (last.trim() !== 'idle') throw new Error(`The test cluster's node did not become idle within 60 s (sinfo: ${last.trim()})`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, env, conf, partition, node, cpus, gpus, tool, activeJobs, stop };
}
