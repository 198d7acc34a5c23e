// The shell scripts the SSH executor runs on a host (POSIX sh, GNU or BusyBox tools, Linux /proc for the sweeps).
// Each is sent on ssh's stdin (`sh -s`), so no part of it passes through a command line on either side.
//
// Layout under the slot's remote folder R:
//   R/repo.git                      bare repository the candidate commits are pushed to
//   R/worktrees/slot-<n>/           one worktree per slot, reset to the commit before each command
//   R/runs/<tag>/jobs/<name>/       one folder per command: env.sh, cmd.sh, pgid, log, exit
// A job runs detached from the ssh session (setsid), so a dropped connection never ends it: the app follows
// its log file by offset and learns its end from the exit file, and can pick both up again after reconnecting.
import { shellQuote as q } from './ssh-connection.js';

export interface RemoteLayout {
  readonly root: string;
  readonly repo: string;
  readonly worktree: string;
  readonly runDir: string;
  readonly jobDir: string;
}

export function remoteLayout(root: string, slot: number, tag: string, job: string): RemoteLayout {
  const r = root.replace(/\/+$/, '') || '/';
  const runDir = `${r}/runs/${tag}`;
  return { root: r, repo: `${r}/repo.git`, worktree: `${r}/worktrees/slot-${slot}`, runDir, jobDir: `${runDir}/jobs/${job}` };
}

/**
 * The bare repository exists (created on first use) and git is there. Two slots, or two apps, may create it at
 * the same moment, and concurrent `git init`s of one folder fail on each other's files ("cannot copy ... File
 * exists", "could not lock config file"); an init that failed is tried again, and finds what the other wrote.
 */
export function ensureRepoScript(root: string): string {
  return `set -e
command -v git >/dev/null 2>&1 || { echo "git is not installed on this host (or not on the PATH of a non-interactive ssh session)" >&2; exit 3; }
mkdir -p ${q(root)}
G=${q(`${root}/repo.git`)}; n=0
until [ "$(git --git-dir="$G" config core.bare 2>/dev/null)" = true ]; do
  n=$((n + 1))
  err=$(git init -q --bare "$G" 2>&1) && continue
  [ $n -lt 5 ] || { printf '%s\n' "$err" >&2; exit 1; }
  sleep 0.2
done
echo ok
`;
}

/** The slot's worktree exactly at `commit` (untracked and ignored files removed), then its linked inputs. */
export function syncWorktreeScript(l: RemoteLayout, commit: string, linked: Readonly<Record<string, string>>): string {
  const links = Object.entries(linked).map(([name, target]) => {
    const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
    return `${dir ? `mkdir -p ${q(dir)} && ` : ''}ln -sfn ${q(target)} ${q(name)}`;
  });
  return `set -e
G=${q(l.repo)}; W=${q(l.worktree)}; C=${q(commit)}
if ! git -C "$W" rev-parse --git-dir >/dev/null 2>&1; then
  rm -rf "$W"; git --git-dir="$G" worktree prune
  mkdir -p "$(dirname "$W")"; git --git-dir="$G" worktree add -q --detach "$W" "$C" >/dev/null
fi
cd "$W"
git -c core.hooksPath=/dev/null checkout -q -f --detach "$C"
git -c core.hooksPath=/dev/null clean -q -ffdx
${links.join('\n')}
`;
}

export interface LaunchInput {
  readonly layout: RemoteLayout;
  readonly command: string;
  /** Exported in the job's shell only (never in the wrapper, so the sweep by marker spares the wrapper). */
  readonly env: Readonly<Record<string, string>>;
  /** The host ends the job by itself this long after its start if the app has not (the app may be gone). */
  readonly watchdogSeconds: number;
  readonly graceSeconds: number;
}

/**
 * Starts the job and prints `AR-PGID <pgid>`. The wrapper (its own session) starts the command as a new
 * session and process group, keeps a watchdog, and writes the exit status to `exit` once the group leader ends
 * (128+N when a signal ended it).
 */
export function launchScript(i: LaunchInput): string {
  const J = i.layout.jobDir;
  const envLines = Object.entries(i.env)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${q(v)}`)
    .join('\n');
  const wrapper = `J=${q(J)}
cd ${q(i.layout.worktree)} || { echo 127 > "$J/exit"; exit 0; }
setsid sh -c '. "$1/env.sh"; echo $$ > "$1/pgid.tmp"; mv "$1/pgid.tmp" "$1/pgid"; [ -e "$1/cancel" ] && exit 143; exec /bin/sh "$1/cmd.sh"' ar-job "$J" </dev/null >"$J/log" 2>&1 &
child=$!
setsid sh -c 'sleep $2; kill -TERM -$1; kill -CONT -$1; sleep $3; kill -KILL -$1' ar-watchdog "$child" ${Math.max(1, Math.ceil(i.watchdogSeconds))} ${Math.max(1, Math.ceil(i.graceSeconds))} </dev/null >/dev/null 2>&1 &
dog=$!
wait "$child"; code=$?
kill -KILL -"$dog" 2>/dev/null
echo "$code" > "$J/exit.tmp" && mv "$J/exit.tmp" "$J/exit"
`;
  // Run twice for one job folder (a try again after the connection dropped), it starts the job once: the second
  // run finds wrapper.pid and only waits for the job's group as the first would have.
  return `set -e
J=${q(J)}
mkdir -p "$J"
if [ -e "$J/cancel" ]; then echo "the job was given up before it started" >&2; exit 4; fi
if [ ! -f "$J/wrapper.pid" ]; then
printf '%s\\n' ${q(envLines)} > "$J/env.sh"
printf '%s\\n' ${q(i.command)} > "$J/cmd.sh"
printf '%s' ${q(wrapper)} > "$J/wrapper.sh"
: > "$J/log"
setsid sh "$J/wrapper.sh" </dev/null >/dev/null 2>&1 &
echo $! > "$J/wrapper.pid"
fi
i=0
while [ ! -f "$J/pgid" ] && [ ! -f "$J/exit" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
if [ -f "$J/pgid" ]; then echo "AR-PGID $(cat "$J/pgid")"; else echo "the job did not start: $(cat "$J/exit" 2>/dev/null || echo 'no exit status')" >&2; exit 4; fi
`;
}

/**
 * One request that readies the host and starts the job (one round-trip instead of three): the new commit's
 * objects (`send`, a receivePackScript, or '' when the host has them), the worktree at the commit (`sync`), then
 * the launch. Sent twice (a try again after a drop), it finds the job started and only answers its group: the
 * worktree a job runs in is never reset under it. A failed step says which on stderr (AR-STEP-SEND, exit 5;
 * AR-STEP-SYNC, exit 6).
 */
export function startScript(jobDir: string, send: string, sync: string, launch: string): string {
  return `J=${q(jobDir)}
mkdir -p "$J" || exit 6
if [ -e "$J/cancel" ]; then echo "the job was given up before it started" >&2; exit 4; fi
if [ ! -f "$J/wrapper.pid" ]; then
${send ? `  printf '%s' ${q(send)} > "$J/send.sh"; sh "$J/send.sh" || { echo AR-STEP-SEND >&2; exit 5; }` : ''}
  printf '%s' ${q(sync)} > "$J/sync.sh"; sh "$J/sync.sh" || { echo AR-STEP-SYNC >&2; exit 6; }
fi
${launch}`;
}

/** Most log bytes one poll brings home (the next poll brings the rest). */
export const POLL_MAX_BYTES = 1 << 20;

/**
 * One poll of the job's log through the host's shared shell (ssh-shell.ts): waits up to ~2 s for bytes past
 * `offset` or the job's end, prints the new bytes (at most POLL_MAX_BYTES) on stdout, and `AR-EXIT <status>` on
 * stderr once the job has ended and every byte is out (`AR-GONE` when the job's folder vanished).
 */
export function pollScript(jobDir: string, offset: number): string {
  return `J=${q(jobDir)}; off=${Math.max(0, Math.floor(offset))}; i=0
while :; do
  [ -d "$J" ] || { echo AR-GONE >&2; exit 0; }
  if [ -f "$J/exit" ]; then last=1; else last=; fi
  size=$(wc -c < "$J/log" 2>/dev/null || echo 0); size=$((size + 0))
  if [ "$size" -gt "$off" ]; then
    n=$((size - off)); if [ "$n" -gt ${POLL_MAX_BYTES} ]; then n=${POLL_MAX_BYTES}; last=; fi
    tail -c +$((off + 1)) "$J/log" | head -c "$n"
  fi
  if [ -n "$last" ]; then echo "AR-EXIT $(cat "$J/exit")" >&2; exit 0; fi
  [ "$size" -gt "$off" ] && exit 0
  i=$((i + 1)); [ $i -ge 20 ] && exit 0
  sleep 0.1
done
`;
}

/**
 * The objects of \`commit\` the host lacks, as a pack (base64) made against commits already sent there: unpacked
 * into the bare repository and held by the slot's branch. Exits 5 when a base commit is not there (the repository
 * was replaced): the app then pushes instead.
 */
export function receivePackScript(repo: string, slot: number, commit: string, bases: readonly string[], packBase64: string): string {
  return `set -e
G=${q(repo)}
if printf '%s\n' ${bases.map(q).join(' ')} | git --git-dir="$G" cat-file --batch-check | grep -q ' missing$'; then echo "a base commit is not in $G" >&2; exit 5; fi
printf '%s' ${q(packBase64)} | base64 -d | git --git-dir="$G" unpack-objects -q
git --git-dir="$G" update-ref refs/heads/autoresearch-slot-${Math.floor(slot)} ${q(commit)}
`;
}

/** Kills what still carries `KEY=value` in its environment (Linux /proc); prints `AR-SWEPT <pids>`. */
function sweepLines(key: string, value: string): string {
  return `pids=$(grep -slzxF ${q(`${key}=${value}`)} /proc/[0-9]*/environ 2>/dev/null | sed -n 's#^/proc/\\([0-9]*\\)/environ$#\\1#p' | grep -vx "$$" | tr '\\n' ' ')
if [ -n "$pids" ]; then kill -TERM $pids 2>/dev/null; sleep 1; kill -KILL $pids 2>/dev/null; fi
echo "AR-SWEPT $pids"`;
}

/** Ends the job's process group (SIGTERM, then SIGKILL after the grace period), then whatever escaped it. */
export function killScript(pgid: number, graceSeconds: number, marker: { key: string; value: string }): string {
  return `P=${Math.floor(pgid)}
${endGroupLines(graceSeconds)}
${sweepLines(marker.key, marker.value)}
`;
}

/** Ends the process group whose id is in $P (nothing when it is 0 or 1): SIGTERM, then SIGKILL after the grace period. */
function endGroupLines(graceSeconds: number): string {
  const ticks = Math.max(1, Math.ceil(graceSeconds * 5));
  return `if [ "$P" -gt 1 ]; then
  kill -TERM -"$P" 2>/dev/null; kill -CONT -"$P" 2>/dev/null
  i=0; while kill -0 -"$P" 2>/dev/null && [ $i -lt ${ticks} ]; do sleep 0.2; i=$((i + 1)); done
  kill -KILL -"$P" 2>/dev/null
fi`;
}

/**
 * For a start request the app gave up on (its time limit, a connection that did not come back) while the host
 * may still launch the job, or already has: a `cancel` file in the job folder stops a launch still to come (the
 * launch script and the job's own shell look for it before they start the command), and a job that did start is
 * ended with its group (waiting briefly for its group to be written) and whatever escaped it. The folder keeps
 * only its `cancel` file, so a start request still running there later finds it too. Without this a trainer
 * launched after the app stopped listening ran unwatched until the host's watchdog, beside the slot's next one.
 */
export function abandonScript(jobDir: string, graceSeconds: number, marker: { key: string; value: string }): string {
  return `J=${q(jobDir)}
mkdir -p "$J" && : > "$J/cancel"
i=0; while [ -f "$J/wrapper.pid" ] && [ ! -f "$J/pgid" ] && [ ! -f "$J/exit" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
P=$(cat "$J/pgid" 2>/dev/null); P=\${P:-0}
case "$P" in *[!0-9]*) P=0 ;; esac
${endGroupLines(graceSeconds)}
${sweepLines(marker.key, marker.value)}
for f in "$J"/* "$J"/.[!.]*; do [ -e "$f" ] && [ "$f" != "$J/cancel" ] && rm -rf "$f"; done
exit 0
`;
}

/** After the job ended: what escaped its group (setsid daemons) is killed, and its folder removed. */
export function finishScript(jobDir: string, marker: { key: string; value: string }): string {
  return `${sweepLines(marker.key, marker.value)}
rm -rf ${q(jobDir)}
`;
}

/** At resume: every process of the run still on the host (marker), and the recorded groups. */
export function sweepRunScript(pgids: readonly number[], runMarker: { key: string; value: string }): string {
  const groups = pgids.filter((p) => Number.isInteger(p) && p > 1);
  return `for P in ${groups.join(' ')}; do kill -TERM -"$P" 2>/dev/null; kill -CONT -"$P" 2>/dev/null; done
${groups.length ? 'sleep 1' : ''}
for P in ${groups.join(' ')}; do kill -KILL -"$P" 2>/dev/null; done
${sweepLines(runMarker.key, runMarker.value)}
`;
}
