// An agent CLI never sees the held-out check (issue #22), and that holds for what is written while it works: the
// baseline's held-out check runs beside the first proposals, and a fold snapshot is written by rename. A file
// hidden by name is hidden only if it exists when the sandbox starts, so the agent's sandbox hides the runs
// folder whole and shows again only this run's training logs, results.tsv and scratch folder (the prompt).
// A real bubblewrap command, started before the files exist; the test writes them, then lets it read.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBwrap, sandboxedArgv } from '../../src/core/exec/sandbox.js';
import { commandSandbox } from '../../src/core/loop/sandbox-spec.js';
import { heldoutLogRel } from '../../src/core/loop/heldout.js';
import { projectPaths, runPaths } from '../../src/core/project/paths.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import { REPO_ROOT } from '../helpers/project.js';

const bwrap = await findBwrap();
if (!bwrap && process.env.CI === 'true') throw new Error('bubblewrap (bwrap) is missing or cannot create namespaces; .ci/run installs it.');

// Not under /tmp: the sandbox's private /tmp would hide the project for another reason than the one tested here.
const root = mkdtempSync(path.join(existsSync('/var/tmp') ? '/var/tmp' : REPO_ROOT, 'ar-heldout-hidden-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = (heldout: boolean) =>
  ProjectConfigSchema.parse({
    run: { command: 'true' },
    files: { editable: ['train.py'], protected: [] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 5 },
    ...(heldout ? { heldout: { command: 'true', metric: { name: 'test_loss', direction: 'min' } } } : {}),
  });

/** Starts `kind`'s sandboxed shell in the worktree; it waits for `go`, then prints what it can read of each file. */
function readLater(project: string, worktree: string, heldout: boolean, files: readonly string[]) {
  const script = `while [ ! -e go ]; do sleep 0.05; done; for f in ${files.map((f) => `'${f}'`).join(' ')}; do if cat "$f" >/dev/null 2>&1; then echo "read $f: $(cat "$f")"; else echo "hidden $f"; fi; done`;
  const [file, args] = sandboxedArgv({ bwrap: bwrap!, spec: commandSandbox(project, worktree, config(heldout), process.env, 'agent', null, 'mar5') }, worktree, script);
  const child = spawn(file, args, { cwd: worktree, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise<string>((resolve) => child.on('close', () => resolve(out)));
}

describe.skipIf(!bwrap)("an agent CLI's view of the runs when the project has a held-out check", () => {
  it('hides what is written after it started (held-out logs, a snapshot, the journal), and shows the training logs and the prompt', async () => {
    const project = path.join(root, 'project');
    const run = runPaths(project, 'mar5');
    const other = runPaths(project, 'mar4');
    const worktree = path.join(projectPaths(project).worktreesDir, 'proposal-0');
    for (const d of [run.logsDir, run.scratchDir, other.logsDir, worktree]) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(project, 'train.py'), 'x = 1\n');
    writeFileSync(run.journal, '{"type":"run-start"}\n');
    writeFileSync(run.results, 'commit\tval_bpb\n');
    writeFileSync(path.join(run.logsDir, '0.log'), 'val_bpb: 1.0\n');
    writeFileSync(path.join(run.logsDir, '1.heldout.log'), 'test_loss: 0.81 (an older run)\n');
    writeFileSync(projectPaths(project).config, '{"heldout":"test_loss"}\n');

    const files = [
      run.journal,
      run.abs(heldoutLogRel(0)),
      path.join(run.dir, 'fold-snapshot.jsonl'),
      path.join(run.logsDir, '1.heldout.log'),
      other.journal,
      projectPaths(project).config,
      path.join(run.logsDir, '0.log'),
      path.join(run.logsDir, '2.log'),
      path.join(run.scratchDir, 'prompt-3.md'),
      run.results,
    ];
    const reading = readLater(project, worktree, true, files);
    await new Promise((r) => setTimeout(r, 300));
    // Written after the sandbox started: the baseline's held-out log, a fold snapshot, another run's journal,
    // a new training log and the prompt.
    mkdirSync(path.dirname(run.abs(heldoutLogRel(0))), { recursive: true });
    writeFileSync(run.abs(heldoutLogRel(0)), 'test_loss: 0.8137\n');
    writeFileSync(path.join(run.dir, 'fold-snapshot.jsonl'), '{"heldout":0.8137}\n');
    writeFileSync(other.journal, '{"heldout":0.8447}\n');
    writeFileSync(path.join(run.logsDir, '2.log'), 'val_bpb: 0.9\n');
    writeFileSync(path.join(run.scratchDir, 'prompt-3.md'), '# Experiment 3\n');
    writeFileSync(path.join(worktree, 'go'), '');
    const out = (await reading).trim().split('\n');
    expect(out).toEqual([
      `hidden ${files[0]}`,
      `hidden ${files[1]}`,
      `hidden ${files[2]}`,
      `hidden ${files[3]}`,
      `hidden ${files[4]}`,
      `hidden ${files[5]}`,
      `read ${files[6]}: val_bpb: 1.0`,
      `read ${files[7]}: val_bpb: 0.9`,
      `read ${files[8]}: # Experiment 3`,
      `read ${files[9]}: commit\tval_bpb`,
    ]);
  });

  it('without a held-out check the runs stay readable (nothing there is secret from the agent)', async () => {
    const project = path.join(root, 'plain');
    const run = runPaths(project, 'mar5');
    const worktree = path.join(projectPaths(project).worktreesDir, 'proposal-0');
    for (const d of [run.logsDir, worktree]) mkdirSync(d, { recursive: true });
    const reading = readLater(project, worktree, false, [run.journal]);
    writeFileSync(run.journal, '{"type":"run-start"}\n');
    writeFileSync(path.join(worktree, 'go'), '');
    expect((await reading).trim()).toBe(`read ${run.journal}: {"type":"run-start"}`);
  });
});
