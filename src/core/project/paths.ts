// Where the app keeps its files inside a user's project (see DESIGN.md, "Files the app keeps").
import path from 'node:path';

export const APP_DIR = '.autoresearch';

export const projectPaths = (projectDir: string) => {
  const root = path.resolve(projectDir);
  const appDir = path.join(root, APP_DIR);
  return {
    root,
    appDir,
    config: path.join(appDir, 'config.json'),
    program: path.join(root, 'program.md'),
    runsDir: path.join(appDir, 'runs'),
    worktreesDir: path.join(appDir, 'worktrees'),
    reportsDir: path.join(appDir, 'reports'),
    lockFile: path.join(appDir, 'run.lock'),
  };
};

export const runPaths = (projectDir: string, tag: string) => {
  const dir = path.join(projectPaths(projectDir).runsDir, tag);
  return {
    dir,
    journal: path.join(dir, 'journal.jsonl'),
    results: path.join(dir, 'results.tsv'),
    logsDir: path.join(dir, 'logs'),
    agentDir: path.join(dir, 'agent'),
    scratchDir: path.join(dir, 'scratch'),
    /** Relative paths, as stored in the experiment record. */
    logRel: (id: number, run = 0) => (run === 0 ? `logs/${id}.log` : `logs/${id}.${run + 1}.log`),
    guardLogRel: (id: number) => `logs/${id}.guard.log`,
    transcriptRel: (id: number) => `agent/${id}.json`,
    abs: (rel: string) => path.join(dir, rel),
  };
};

export const slotWorktree = (projectDir: string, slot: number) => path.join(projectPaths(projectDir).worktreesDir, `slot-${slot}`);
/** A proposal worktree: where a pipelined proposal is made while the slots train (never a slot's). */
export const proposalWorktree = (projectDir: string, k: number) => path.join(projectPaths(projectDir).worktreesDir, `proposal-${k}`);
