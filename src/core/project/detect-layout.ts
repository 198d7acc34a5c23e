// Recognises karpathy/autoresearch's layout (train.py + prepare.py [+ program.md, pyproject.toml]) and
// proposes a config for it; anything else gets a generic suggestion the user completes in the form.
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectConfigInput } from '../../shared/config.js';
import type { ProjectLayout } from '../../shared/api.js';

const exists = (p: string) => access(p).then(() => true, () => false);

export async function detectLayout(projectDir: string): Promise<ProjectLayout> {
  const has = async (f: string) => exists(path.join(projectDir, f));
  return (await has('train.py')) && (await has('prepare.py')) ? 'autoresearch' : 'generic';
}

export function autoresearchConfig(): ProjectConfigInput {
  return {
    run: { command: 'uv run train.py', setup: null },
    // .venv is linked, not rebuilt: between experiments a worktree loses every untracked and ignored file.
    files: { editable: ['train.py'], protected: ['prepare.py', 'pyproject.toml', 'uv.lock'], context: ['program.md'], linked: ['.venv'] },
    metric: { name: 'val_bpb', direction: 'min', extract: { kind: 'line' }, secondary: ['training_seconds', 'mfu_percent', 'num_steps'], memoryMb: 'peak_vram_mb' },
    budget: { seconds: 300, timeoutSeconds: 600, graceSeconds: 10 },
  };
}

/** A best guess for an unknown project: the most likely entry script becomes editable. */
export async function genericConfig(projectDir: string): Promise<ProjectConfigInput> {
  // A guess only: an unreadable folder gets an empty command, which Setup then asks for.
  const entries = await readdir(projectDir).catch(() => [] as string[]);
  const candidates = ['train.py', 'main.py', 'train.mjs', 'train.js', 'bench.py', 'benchmark.py', 'index.js'];
  const script = candidates.find((c) => entries.includes(c)) ?? entries.find((e) => /\.(py|m?js|ts)$/.test(e)) ?? null;
  const command = script ? (script.endsWith('.py') ? `python3 ${script}` : `node ${script}`) : '';
  return {
    run: { command, setup: null },
    files: { editable: script ? [script] : [], protected: [], context: [], linked: [] },
    metric: { name: '', direction: 'min', extract: { kind: 'line' }, secondary: [], memoryMb: null },
    budget: { seconds: 300, timeoutSeconds: null, graceSeconds: 10 },
  };
}

export async function suggestConfig(projectDir: string): Promise<{ layout: ProjectLayout; suggested: ProjectConfigInput }> {
  const layout = await detectLayout(projectDir);
  return { layout, suggested: layout === 'autoresearch' ? autoresearchConfig() : await genericConfig(projectDir) };
}
