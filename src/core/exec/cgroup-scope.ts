// On Linux with a systemd user session, each command the loop starts is put in a transient scope
// (as `systemd-run --user --scope` makes): a cgroup that holds every process the command starts, whatever it does to
// its session, group or environment, so the whole tree is known and killed when the command ends. Where
// there is no user session (containers, CI, most SSH logins without lingering) the detection says so once
// and the loop relies on process groups plus the environment marker (sweep-escaped.ts).
import { execFile, execFileSync } from 'node:child_process';

let detected: Promise<boolean> | null = null;

function runQuiet(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, [...args], { env, timeout: timeoutMs }, (err) => resolve(err === null));
  });
}

/** Does `systemd-run --user --scope` really work here? Asked once per process (a real scope is started). */
export function systemdScopeAvailable(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (process.platform !== 'linux' || env.AUTORESEARCH_NO_CGROUP === '1') return Promise.resolve(false);
  detected ??= runQuiet('systemd-run', ['--user', '--scope', '--quiet', '--collect', '--', 'true'], env, 5000);
  return detected;
}

let detectedSync: boolean | null = null;

/** The same question answered synchronously (for a run's opening notice); asked once per process. */
export function systemdScopeAvailableSync(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (process.platform !== 'linux' || env.AUTORESEARCH_NO_CGROUP === '1') return false;
  if (detectedSync === null) {
    try {
      execFileSync('systemd-run', ['--user', '--scope', '--quiet', '--collect', '--', 'true'], { env: env as NodeJS.ProcessEnv, timeout: 5000, stdio: 'ignore' });
      detectedSync = true;
    } catch {
      detectedSync = false;
    }
  }
  return detectedSync;
}

/**
 * Moves a started command (its group leader; what it starts later follows) into a new transient scope
 * `unit`, over the user manager's D-Bus API. Adopting the running process, rather than wrapping the
 * command line in systemd-run, works whatever else wraps the command (a sandbox cannot reach the bus).
 * False when systemd refused; the caller then relies on the process group and the marker.
 */
export function adoptIntoScope(pid: number, unit: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return runQuiet(
    'busctl',
    ['--user', 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'StartTransientUnit',
      'ssa(sv)a(sa(sv))', `${unit}.scope`, 'fail', '2', 'PIDs', 'au', '1', String(pid), 'CollectMode', 's', 'inactive-or-failed', '0'],
    env,
    5000,
  );
}

/** Kills whatever is left in the scope and removes it. Never throws. */
export async function stopScope(unit: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await runQuiet('systemctl', ['--user', 'kill', '--signal=SIGKILL', `${unit}.scope`], env, 10_000);
  await runQuiet('systemctl', ['--user', 'stop', `${unit}.scope`], env, 10_000);
}

/** A unit name systemd accepts, unique to one command execution. */
export const scopeUnit = (marker: string) => `autoresearch-${marker.replace(/[^A-Za-z0-9_-]/g, '-')}`;
