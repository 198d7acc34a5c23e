// The two containment helpers on a real file system: safe-fs refuses symbolic links, hard links and FIFOs
// under .autoresearch (and says which path to remove), and the redactor replaces the app's secret values by
// their names, also when a stream splits one across two chunks.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCappedLog } from '../../src/core/exec/capped-log.js';
import { runCommand } from '../../src/core/exec/run-command.js';
import { openJournalWriter } from '../../src/core/journal/append.js';
import { createStreamRedactor, currentSecrets, redact, redactEvent, secretsIn } from '../../src/core/util/redact.js';
import { appendFileNoFollow, LinkRefusedError, readTextNoFollow, writeFileAtomic } from '../../src/core/util/safe-fs.js';
import { linkedNameProblem, ProjectConfigSchema } from '../../src/shared/config.js';
import { cleanupTempDirs, tempDir } from '../helpers/project.js';

afterEach(cleanupTempDirs);

/** A project's .autoresearch/runs/t folder and a victim file outside it. */
function layout() {
  const root = tempDir();
  const run = path.join(root, 'proj', '.autoresearch', 'runs', 't');
  mkdirSync(run, { recursive: true });
  const victim = path.join(root, 'victim.txt');
  writeFileSync(victim, 'victim\n');
  return { root, run, victim };
}

describe('safe-fs', () => {
  it('refuses to write or append through a symbolic link, naming it, and leaves the target alone', async () => {
    const { run, victim } = layout();
    const patch = path.join(run, 'final.patch');
    symlinkSync(victim, patch);
    await expect(writeFileAtomic(patch, 'evil')).rejects.toThrow(`${patch} is a symbolic link; the app never follows links under .autoresearch or in its worktrees — remove it and try again.`);
    await expect(appendFileNoFollow(patch, 'evil')).rejects.toBeInstanceOf(LinkRefusedError);
    await expect(readTextNoFollow(patch)).rejects.toBeInstanceOf(LinkRefusedError);
    expect(readFileSync(victim, 'utf8')).toBe('victim\n');
  });

  it('refuses a hard-linked file (the same inode as a file outside) for reads and writes', async () => {
    const { run, victim } = layout();
    const tsv = path.join(run, 'results.tsv');
    linkSync(victim, tsv);
    await expect(appendFileNoFollow(tsv, 'row\n')).rejects.toThrow(/has more than one hard link/);
    await expect(writeFileAtomic(tsv, 'rows\n')).rejects.toThrow(/has more than one hard link/);
    await expect(readTextNoFollow(tsv)).rejects.toThrow(/has more than one hard link/);
    expect(readFileSync(victim, 'utf8')).toBe('victim\n');
  });

  it('refuses a folder on the way that is a link (runs/t -> elsewhere), not only the last name', async () => {
    const { root, run } = layout();
    const elsewhere = path.join(root, 'elsewhere');
    mkdirSync(elsewhere);
    const linkedRun = path.join(path.dirname(run), 'u');
    symlinkSync(elsewhere, linkedRun);
    await expect(writeFileAtomic(path.join(linkedRun, 'final.patch'), 'x')).rejects.toThrow(`${linkedRun} is a symbolic link`);
    await expect(openJournalWriter(path.join(linkedRun, 'journal.jsonl'))).rejects.toThrow(`Cannot write the run's journal: ${linkedRun} is a symbolic link`);
    expect(execFileSync('ls', ['-A', elsewhere], { encoding: 'utf8' })).toBe('');
  });

  it('refuses a FIFO planted as a file to read, without hanging on it', async () => {
    const { run } = layout();
    const fifo = path.join(run, 'metrics.json');
    execFileSync('mkfifo', [fifo]);
    await expect(readTextNoFollow(fifo)).rejects.toThrow(`${fifo} is not a regular file; remove it and try again.`);
  });

  it('writes and reads plain files as before', async () => {
    const { run } = layout();
    const file = path.join(run, 'results.tsv');
    await writeFileAtomic(file, 'a\n');
    await appendFileNoFollow(file, 'b\n');
    expect(await readTextNoFollow(file)).toBe('a\nb\n');
  });
});

describe('files.linked names', () => {
  it('refuses .git, .autoresearch and paths that leave the project, in the config itself', () => {
    expect(linkedNameProblem('.git')).toBe('.git is the repository, which the trainer must never be given; remove it from files.linked');
    expect(linkedNameProblem('./.autoresearch/runs/')).toMatch(/is the app's own folder, which the trainer must never be given/);
    expect(linkedNameProblem('.GIT/hooks')).toMatch(/the repository/);
    expect(linkedNameProblem('../data')).toMatch(/is not a folder inside the project/);
    expect(linkedNameProblem('/home/me/.ssh')).toMatch(/is not a folder inside the project/);
    expect(linkedNameProblem('.venv')).toBeNull();
    expect(linkedNameProblem('data/')).toBeNull();
    const parsed = ProjectConfigSchema.safeParse({
      run: { command: 'python train.py' },
      files: { editable: ['train.py'], linked: ['.venv', '.git'] },
      metric: { name: 'val_bpb', direction: 'min' },
      budget: { seconds: 10 },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['files.linked.1', expect.stringMatching(/^\.git is the repository/)]]);
  });
});

describe('the redactor', () => {
  const KEY = 'sk-ant-api03-SECRETSECRET-0123456789';
  const env = { ANTHROPIC_API_KEY: KEY, HF_TOKEN: 'hf_abcdefghijklmnop', DB_PASSWORD: 'hunter2hunter2', MY_SECRET_THING: 'shh-its-a-secret', SHORT_TOKEN: 'abc', PATH: '/usr/bin:/bin' };

  it('takes the values of secret-looking names of at least 8 characters and names them in the replacement', () => {
    const secrets = currentSecrets(env);
    expect(secrets.map((s) => s.name).sort()).toEqual(['ANTHROPIC_API_KEY', 'DB_PASSWORD', 'HF_TOKEN', 'MY_SECRET_THING']);
    const text = `key=${KEY} token=${env.HF_TOKEN} path=${env.PATH} short=abc`;
    expect(redact(text, secrets)).toBe('key=[redacted ANTHROPIC_API_KEY] token=[redacted HF_TOKEN] path=/usr/bin:/bin short=abc');
    expect(secretsIn(`x ${KEY}`, secrets)).toEqual(['ANTHROPIC_API_KEY']);
  });

  it('redacts a journal event whatever field holds the secret, and leaves a clean one as it is', () => {
    const secrets = currentSecrets(env);
    const event = { type: 'notice', message: `echo "${KEY}"`, nested: { list: [`a\\${env.HF_TOKEN}`] } };
    expect(JSON.stringify(redactEvent(event, secrets))).not.toMatch(/sk-ant|hf_abc/);
    const clean = { type: 'notice', message: 'fine' };
    expect(redactEvent(clean, secrets)).toBe(clean);
  });

  it('catches a secret split across two chunks at every split point, and holds back nothing that cannot start one', () => {
    const secrets = currentSecrets(env);
    const text = `step 1 loss 2.5\nthe key is ${KEY}!\nstep 2\n`;
    for (let cut = 1; cut < text.length; cut++) {
      const r = createStreamRedactor(secrets);
      const out = Buffer.concat([r.push(Buffer.from(text.slice(0, cut))), r.push(Buffer.from(text.slice(cut))), r.end()]).toString();
      expect(out).toBe('step 1 loss 2.5\nthe key is [redacted ANTHROPIC_API_KEY]!\nstep 2\n');
    }
    const r = createStreamRedactor(secrets);
    expect(r.push(Buffer.from('step 3 | loss 1.0\n')).toString()).toBe('step 3 | loss 1.0\n');
    // "sk-an" could be the start of the key: held until the next chunk says it is not.
    expect(r.push(Buffer.from('prefix sk-an')).toString()).toBe('prefix ');
    expect(r.push(Buffer.from('other\n')).toString()).toBe('sk-another\n');
  });

  it('keeps a secret printed in two writes out of a capped log', async () => {
    const dir = tempDir();
    const key = 'sk-test-LOGSECRET-987654321';
    process.env.LOG_TEST_API_KEY = key;
    try {
      const file = path.join(dir, '1.log');
      const log = await openCappedLog(file, 1024 * 1024);
      log.write(Buffer.from(`loading\ntoken ${key.slice(0, 10)}`));
      log.write(Buffer.from(`${key.slice(10)} done\n`));
      await log.finish();
      expect(readFileSync(file, 'utf8')).toBe('loading\ntoken [redacted LOG_TEST_API_KEY] done\n');
    } finally {
      delete process.env.LOG_TEST_API_KEY;
    }
  });
});

describe('a command that prints a secret', () => {
  it('leaves it out of the log file, the live output and the crash tail, even printed in two writes', async () => {
    const dir = tempDir();
    const key = 'tok-LIVE-SECRET-abcdef123456';
    process.env.LIVE_TEST_TOKEN = key;
    try {
      const script = `process.stdout.write('key=${key.slice(0, 9)}'); setTimeout(() => { process.stdout.write('${key.slice(9)}\\nbye\\n'); process.exit(3); }, 200);`;
      const live: string[] = [];
      const result = await runCommand({
        command: `"${process.execPath}" -e "${script}"`,
        cwd: dir,
        env: { ...process.env },
        logFile: path.join(dir, 'logs', '1.log'),
        logMaxBytes: 1024 * 1024,
        timeoutMs: 30_000,
        graceMs: 1_000,
        onOutput: (t) => live.push(t),
      });
      expect(result.exitCode).toBe(3);
      const expected = 'key=[redacted LIVE_TEST_TOKEN]\nbye\n';
      expect(readFileSync(path.join(dir, 'logs', '1.log'), 'utf8')).toBe(expected);
      expect(live.join('')).toBe(expected);
      // The two writes arrived as two chunks, so the split was really across them.
      expect(live.length).toBeGreaterThan(1);
      expect(result.tail).toContain('[redacted LIVE_TEST_TOKEN]');
      expect(result.tail).not.toContain('SECRET');
    } finally {
      delete process.env.LIVE_TEST_TOKEN;
    }
  });
});
