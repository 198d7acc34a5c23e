// What a Slurm slot asks sbatch for, from the slot's settings and the experiment's budget.
import { describe, expect, it } from 'vitest';
import { sbatchArgs, shQuote, submitEnv, timeLimitMinutes } from '../../src/core/exec/slurm-script.js';
import { parseJobId } from '../../src/core/exec/slurm-cli.js';

const input = { jobName: 'autoresearch-slot0', outputPattern: '/p/.autoresearch/runs/t/slurm/%j.out', cwd: '/p/.autoresearch/worktrees/slot-0', timeoutMs: 600_000, graceMs: 10_000 };

describe('sbatch options of a Slurm slot', () => {
  it('asks for GPUs only when the slot wants some, and passes partition, account, qos, constraint and extra options', () => {
    const none = sbatchArgs({ ...input, settings: { kind: 'slurm', gpus: 0, extraArgs: [] } });
    expect(none.some((a) => a.startsWith('--gres'))).toBe(false);
    expect(none.some((a) => /^--(partition|account|qos|constraint)=/.test(a))).toBe(false);
    const all = sbatchArgs({ ...input, settings: { kind: 'slurm', partition: 'gpu', account: 'lab', qos: 'high', constraint: 'a100', gpus: 2, extraArgs: ['--mem=32G', '--cpus-per-task=8'] } });
    expect(all).toEqual(expect.arrayContaining(['--gres=gpu:2', '--partition=gpu', '--account=lab', '--qos=high', '--constraint=a100', `--chdir=${input.cwd}`, `--output=${input.outputPattern}`, '--export=ALL']));
    // Extra options come last, so one the user gives (e.g. a longer --time) wins over the app's.
    expect(all.slice(-2)).toEqual(['--mem=32G', '--cpus-per-task=8']);
  });

  it('sets --time from the timeout plus grace, in whole minutes, with a minute of slack', () => {
    expect(timeLimitMinutes(600_000, 10_000)).toBe(12);
    expect(timeLimitMinutes(60_000, 0)).toBe(2);
    expect(timeLimitMinutes(1_000, 1_000)).toBe(2);
    expect(sbatchArgs({ ...input, settings: { kind: 'slurm', gpus: 0, extraArgs: [] } })).toContain('--time=12');
  });

  it('reads the job id of --parsable, with or without a cluster name', () => {
    expect(parseJobId('4711\n')).toBe('4711');
    expect(parseJobId('4711;cluster-a\n')).toBe('4711');
    expect(parseJobId('sbatch: error: invalid partition\n')).toBeNull();
  });

  it('submits with the job\'s environment minus the variables of an allocation the app itself runs in', () => {
    const env = submitEnv({ PATH: '/bin', SLURM_JOB_ID: '9', SLURM_CONF: '/etc/x.conf', SBATCH_ACCOUNT: 'lab', A: undefined }, { PATH: '/usr/bin' });
    expect(env).toEqual({ PATH: '/bin', SLURM_CONF: '/etc/x.conf', SBATCH_ACCOUNT: 'lab' });
    expect(submitEnv({}, { SLURM_CONF: '/c', PATH: '/p' })).toEqual({ SLURM_CONF: '/c', PATH: '/p' });
  });

  it('quotes for /bin/sh', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
  });
});
