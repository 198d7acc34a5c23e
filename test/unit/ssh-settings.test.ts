// An SSH slot's settings and the names the app gives its jobs: bad settings are refused with a message for the
// setup form (never passed to ssh), the journal's handle reads back, and the host gets only the run's environment.
import { describe, expect, it } from 'vitest';
import { executorWhere, parseConfig } from '../../src/shared/config.js';
import { jobLabel, whereOfRemote } from '../../src/shared/experiment.js';
import { shellQuote, sshArgs } from '../../src/core/exec/ssh-connection.js';
import { formatSshHandle, parseSshHandle, remoteEnv } from '../../src/core/exec/ssh-executor.js';

const base = {
  run: { command: 'python train.py' },
  files: { editable: ['train.py'] },
  metric: { name: 'val_bpb', direction: 'min' },
  budget: { seconds: 300 },
};
const withSsh = (executor: Record<string, unknown>) => parseConfig({ ...base, slots: [{ env: {}, executor: { kind: 'ssh', host: 'me@gpu-box', remoteDir: '/srv/ar', ...executor } }] });
const errorsOf = (r: ReturnType<typeof parseConfig>) => (r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`));

describe('SSH slot settings', () => {
  it('accepts a host, a port, host paths for linked inputs and Name=value options', () => {
    const r = withSsh({ port: 2222, linked: { data: '/scratch/data', 'cache/hf': '/scratch/hf' }, options: ['StrictHostKeyChecking=accept-new', 'ServerAliveInterval 10'] });
    expect(errorsOf(r)).toEqual([]);
  });

  it('refuses what ssh could read as an option, or a path that leaves the worktree, with what to write instead', () => {
    expect(errorsOf(withSsh({ host: '-oProxyCommand=touch /tmp/x' }))).toEqual(['slots.0.executor.host: Write the host as user@host or a Host alias of ~/.ssh/config (no spaces, not starting with -)']);
    expect(errorsOf(withSsh({ host: 'gpu box' }))).toHaveLength(1);
    expect(errorsOf(withSsh({ remoteDir: 'ar' }))).toEqual(['slots.0.executor.remoteDir: The remote folder must be an absolute path on the host']);
    expect(errorsOf(withSsh({ linked: { '../outside': '/scratch/x' } }))[0]).toMatch(/A linked input is named by its path inside the project, e.g. data \(no leading \/, no \.\.\)$/);
    expect(errorsOf(withSsh({ linked: { '/etc': '/scratch/x' } }))).toHaveLength(1);
    expect(errorsOf(withSsh({ linked: { data: 'scratch/data' } }))[0]).toMatch(/A linked input on the host is an absolute path there, e.g. \/scratch\/me\/data$/);
    expect(errorsOf(withSsh({ options: ['-F/tmp/evil'] }))).toEqual(['slots.0.executor.options.0: An ssh option is Name=value, e.g. StrictHostKeyChecking=accept-new']);
  });

  it('the ssh command line: batch mode, one shared connection, the options, and the host after `--`', () => {
    const args = sshArgs({ host: 'me@gpu-box', port: 2222, options: ['IdentityFile=/k'], env: { AUTORESEARCH_SSH_CONFIG: '/cfg' } });
    expect(args.slice(0, 4)).toEqual(['-F', '/cfg', '-p', '2222']);
    expect(args).toContain('BatchMode=yes');
    expect(args).toContain('ControlMaster=auto');
    expect(args.slice(-4)).toEqual(['-o', 'IdentityFile=/k', '--', 'me@gpu-box']);
    // The same refusals at run time, whatever wrote the config.
    expect(() => sshArgs({ host: '-oProxyCommand=x', options: [], env: {} })).toThrow(/is not a host name\. Write it as user@host or a Host alias of ~\/\.ssh\/config\./);
    expect(() => sshArgs({ host: 'h', options: ['bad'], env: {} })).toThrow(/The ssh option "bad" is not of the form Name=value/);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('names where a job ran: the journal handle reads back, and the dashboard says host and process group', () => {
    const handle = formatSshHandle({ host: 'me@gpu-box', port: 2222, pgid: 812, jobDir: '/srv/ar/runs/t/jobs/e3-x' });
    expect(parseSshHandle(handle)).toEqual({ host: 'me@gpu-box', port: 2222, pgid: 812, jobDir: '/srv/ar/runs/t/jobs/e3-x' });
    expect(parseSshHandle('4711')).toBeNull();
    expect(whereOfRemote({ kind: 'ssh', handle })).toBe('ssh:gpu-box:2222');
    expect(whereOfRemote({ kind: 'ssh', handle: formatSshHandle({ host: 'gpu-box', port: 22, pgid: 9, jobDir: '/j' }) })).toBe('ssh:gpu-box');
    expect(whereOfRemote({ kind: 'slurm', handle: '4711' })).toBe('slurm:4711');
    expect(jobLabel({ kind: 'ssh', handle })).toBe('process group 812 on gpu-box');
    expect(jobLabel({ kind: 'slurm', handle: '4711' })).toBe('job 4711');
    expect(executorWhere(undefined)).toBe('local');
    expect(executorWhere({ kind: 'ssh', host: 'me@gpu-box', port: 2222, remoteDir: '/x', linked: {}, options: [] })).toBe('ssh:gpu-box:2222');
  });

  it('the host gets what the run adds to the app\'s environment, not this machine\'s paths', () => {
    const app = { PATH: '/usr/bin', HOME: '/home/me', CUDA_VISIBLE_DEVICES: '1', LANG: 'C' };
    const job = { ...app, AUTORESEARCH_TAG: 't', AUTORESEARCH_NODE: '/opt/app/electron', ELECTRON_RUN_AS_NODE: '1', CUDA_VISIBLE_DEVICES: '1', LR: '0.1' };
    // CUDA_VISIBLE_DEVICES equals the app's own value, but the slot sets it: it is sent.
    expect(remoteEnv(job, app, ['CUDA_VISIBLE_DEVICES'])).toEqual({ AUTORESEARCH_TAG: 't', CUDA_VISIBLE_DEVICES: '1', LR: '0.1' });
  });
});
