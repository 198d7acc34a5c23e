// The setup form's working copy of the config. Numbers are kept as the text the user typed (so "0." or
// an empty box can be edited), env maps as NAME=value lines, lists as arrays. fromDraft turns it back
// into the config object the schema validates, plus the errors only the form can see (text that is not
// a number, a malformed env line), at the same dotted paths the schema uses.
import {
  AcceptanceSchema,
  AgentSchema,
  ApprovalSchema,
  CONFIG_VERSION,
  SandboxSchema,
  StopSchema,
  type ExecutorConfigInput,
  type FieldError,
  type Price,
  type ProjectConfig,
  type ProjectConfigInput,
  type SeedConfig,
} from '../../shared/config.js';
import { heldoutFromDraft, heldoutToDraft, type HeldoutDraft } from './heldout-draft.js';
import { hooksFromDraft, hooksToDraft, type HooksDraft } from './hooks-draft.js';
import { earlyStopFromDraft, earlyStopToDraft, type EarlyStopDraft } from './early-stop-draft.js';
import { searchFromDraft, searchToDraft, type SearchDraft } from './search-draft.js';

export type ExtractKind = 'line' | 'metric-line' | 'regex' | 'json';
export type GpuMode = 'all' | 'pick' | 'none';
export type Proposer = 'mutation' | 'claude' | 'command' | 'openai-compatible';

export interface Draft {
  readonly run: { readonly command: string; readonly setup: string; readonly env: string };
  readonly files: { readonly editable: readonly string[]; readonly protected: readonly string[]; readonly context: readonly string[]; readonly linked: readonly string[] };
  readonly metric: {
    readonly name: string;
    readonly direction: 'min' | 'max';
    readonly extractKind: ExtractKind;
    readonly pattern: string;
    readonly jsonFile: string;
    readonly jsonKey: string;
    readonly secondary: string;
    readonly memoryMb: string;
  };
  readonly budget: { readonly seconds: string; readonly timeoutSeconds: string; readonly graceSeconds: string };
  readonly acceptance: {
    readonly rule: 'noise-aware' | 'classic';
    readonly falseKeepRate: string;
    readonly minImprovementMode: 'absolute' | 'relative' | 'noise';
    readonly minImprovement: string;
    readonly baselineRuns: string;
    readonly confirmRuns: string;
    readonly auditRepeats: string;
    readonly guardCommand: string;
    readonly guardTimeoutSeconds: string;
  };
  readonly stop: { readonly maxExperiments: string; readonly maxHours: string; readonly maxCostUsd: string; readonly target: string; readonly maxConsecutiveFailures: string };
  readonly slots: readonly SlotDraft[];
  /** The GPUs slots get: every one nvidia-smi finds, the ones picked, or none (config `gpus`). */
  readonly gpus: { readonly mode: GpuMode; readonly picked: readonly string[]; readonly perSlot: string };
  readonly approval: { readonly mode: 'off' | 'large' | 'all'; readonly overLines: string };
  /** The search strategy (search-draft.ts). */
  readonly search: SearchDraft;
  /** What agent-written code may reach (config `sandbox`); passEnv as comma-separated names. */
  readonly sandbox: { readonly network: boolean; readonly readOnlyInputs: boolean; readonly writableCaches: boolean; readonly passEnv: string };
  readonly agent: {
    readonly proposer: Proposer;
    readonly model: string;
    readonly maxTokens: string;
    readonly thinkingBudget: string;
    readonly maxToolCalls: string;
    readonly command: string;
    readonly commandPromptVia: 'stdin' | 'arg';
    readonly commandTimeoutSeconds: string;
    readonly maxDiffLines: string;
    readonly historyLimit: string;
    /** Not edited by the form; kept as loaded. */
    readonly prices: Readonly<Record<string, Price>>;
  };
  /** The per-experiment log cap, in MiB. */
  readonly logMaxMb: string;
  /** How the run varies the seed (config `seed`); every kind's text is kept so switching loses nothing typed. */
  readonly seed: SeedDraft;
  /** The held-out check (heldout-draft.ts); an empty command is none. */
  readonly heldout: HeldoutDraft;
  /** The hooks (hooks-draft.ts); an empty command is none. */
  readonly hooks: HooksDraft;
  /** Early stopping (early-stop-draft.ts). */
  readonly earlyStop: EarlyStopDraft;
}

export interface SeedDraft {
  readonly kind: 'undecided' | 'env' | 'arg' | 'constant' | 'none';
  readonly name: string;
  readonly flag: string;
  readonly file: string;
}

/** config.seed as the Seed section edits it. */
export function seedToDraft(s: SeedConfig | null | undefined): SeedDraft {
  if (!s) return { kind: 'undecided', name: '', flag: '', file: '' };
  return { kind: s.kind, name: s.kind === 'env' || s.kind === 'constant' ? s.name : '', flag: s.kind === 'arg' ? s.flag : '', file: s.kind === 'constant' ? s.file : '' };
}

/** The Seed section back to config: only the chosen kind's fields, null while undecided (the schema checks the rest). */
export function seedFromDraft(s: SeedDraft): unknown {
  if (s.kind === 'undecided') return null;
  if (s.kind === 'env') return { kind: 'env', name: s.name };
  if (s.kind === 'arg') return { kind: 'arg', flag: s.flag };
  if (s.kind === 'constant') return { kind: 'constant', file: s.file, name: s.name };
  return { kind: 'none' };
}

export type ExecutorKind = 'local' | 'slurm' | 'ssh';

/**
 * One slot: its environment and where its experiments run. The fields of every executor kind are kept, so
 * switching the kind back and forth loses nothing typed; only the chosen kind's are saved.
 */
export interface SlotDraft {
  readonly env: string;
  readonly kind: ExecutorKind;
  /** Lists are one item per line; GPUs as typed. */
  readonly slurm: { readonly partition: string; readonly account: string; readonly qos: string; readonly constraint: string; readonly gpus: string; readonly extraArgs: string };
  /** linked: NAME=/remote/path lines. */
  readonly ssh: { readonly host: string; readonly port: string; readonly remoteDir: string; readonly linked: string; readonly options: string };
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const MIB = 1024 * 1024;

export function envToText(env: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(env ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

/** A config (saved, or the detected suggestion, possibly partial) as a full draft with defaults filled in. */
export function toDraft(input: ProjectConfigInput | ProjectConfig | null | undefined): Draft {
  const c = (input ?? {}) as Partial<ProjectConfigInput>;
  const acceptance = { ...AcceptanceSchema.parse({}), ...(c.acceptance ?? {}) };
  const stop = { ...StopSchema.parse({}), ...(c.stop ?? {}) };
  const agent = { ...AgentSchema.parse({}), ...(c.agent ?? {}) };
  const approval = { ...ApprovalSchema.parse({}), ...(c.approval ?? {}) };
  const sandbox = { ...SandboxSchema.parse({}), ...(c.sandbox ?? {}) };
  const extract = c.metric?.extract ?? { kind: 'line' as const };
  return {
    run: { command: str(c.run?.command), setup: str(c.run?.setup), env: envToText(c.run?.env) },
    files: {
      editable: [...(c.files?.editable ?? [])],
      protected: [...(c.files?.protected ?? [])],
      context: [...(c.files?.context ?? [])],
      linked: [...(c.files?.linked ?? [])],
    },
    metric: {
      name: str(c.metric?.name),
      direction: c.metric?.direction ?? 'min',
      extractKind: extract.kind,
      pattern: extract.kind === 'regex' ? extract.pattern : '',
      jsonFile: extract.kind === 'json' ? extract.file : '',
      jsonKey: extract.kind === 'json' ? extract.key : '',
      secondary: (c.metric?.secondary ?? []).join(', '),
      memoryMb: c.metric?.memoryMb === undefined ? 'peak_vram_mb' : str(c.metric.memoryMb),
    },
    budget: { seconds: str(c.budget?.seconds), timeoutSeconds: str(c.budget?.timeoutSeconds), graceSeconds: str(c.budget?.graceSeconds ?? 10) },
    acceptance: {
      rule: acceptance.rule,
      falseKeepRate: str(acceptance.falseKeepRate),
      minImprovementMode: acceptance.minImprovementMode,
      minImprovement: str(acceptance.minImprovement),
      baselineRuns: str(acceptance.baselineRuns),
      confirmRuns: str(acceptance.confirmRuns),
      auditRepeats: str(acceptance.auditRepeats),
      guardCommand: str(acceptance.guardCommand),
      guardTimeoutSeconds: str(acceptance.guardTimeoutSeconds),
    },
    stop: {
      maxExperiments: str(stop.maxExperiments),
      maxHours: str(stop.maxHours),
      maxCostUsd: str(stop.maxCostUsd),
      target: str(stop.target),
      maxConsecutiveFailures: str(stop.maxConsecutiveFailures),
    },
    slots: (c.slots && c.slots.length ? c.slots : [{ env: {} }]).map((s) => slotToDraft(s)),
    approval: { mode: approval.mode, overLines: str(approval.overLines) },
    search: searchToDraft(c.search),
    sandbox: { network: sandbox.network, readOnlyInputs: sandbox.readOnlyInputs, writableCaches: sandbox.writableCaches, passEnv: sandbox.passEnv.join(', ') },
    gpus: {
      mode: c.gpus?.use === undefined || c.gpus.use === null ? 'all' : c.gpus.use.length === 0 ? 'none' : 'pick',
      picked: [...(c.gpus?.use ?? [])],
      perSlot: str(c.gpus?.perSlot ?? 1),
    },
    agent: {
      proposer: agent.proposer,
      model: agent.model,
      maxTokens: str(agent.maxTokens),
      thinkingBudget: str(agent.thinkingBudget),
      maxToolCalls: str(agent.maxToolCalls),
      command: str(agent.command),
      commandPromptVia: agent.commandPromptVia,
      commandTimeoutSeconds: str(agent.commandTimeoutSeconds),
      maxDiffLines: str(agent.maxDiffLines),
      historyLimit: str(agent.historyLimit),
      prices: agent.prices ?? {},
    },
    heldout: heldoutToDraft(c.heldout),
    hooks: hooksToDraft(c.hooks),
    earlyStop: earlyStopToDraft(c.earlyStop),
    logMaxMb: str(Math.round(((c.logMaxBytes ?? 50 * MIB) / MIB) * 100) / 100),
    seed: seedToDraft(c.seed),
  };
}

/** A slot as the form edits it. */
export function slotToDraft(s: { readonly env?: Readonly<Record<string, string>>; readonly executor?: ExecutorConfigInput | undefined }): SlotDraft {
  const e = s.executor;
  const slurm = e?.kind === 'slurm' ? e : null;
  const ssh = e?.kind === 'ssh' ? e : null;
  return {
    env: envToText(s.env),
    kind: e?.kind ?? 'local',
    slurm: {
      partition: str(slurm?.partition),
      account: str(slurm?.account),
      qos: str(slurm?.qos),
      constraint: str(slurm?.constraint),
      gpus: str(slurm?.gpus ?? 0),
      extraArgs: (slurm?.extraArgs ?? []).join('\n'),
    },
    ssh: {
      host: str(ssh?.host),
      port: str(ssh?.port),
      remoteDir: str(ssh?.remoteDir),
      linked: envToText(ssh?.linked),
      options: (ssh?.options ?? []).join('\n'),
    },
  };
}

export const emptySlot = (env = ''): SlotDraft => ({ ...slotToDraft({}), env });

export interface DraftConversion {
  /** What to validate and save. */
  readonly config: unknown;
  /** Problems the schema cannot see because they are lost in conversion. */
  readonly errors: readonly FieldError[];
}

export function fromDraft(d: Draft): DraftConversion {
  const errors: FieldError[] = [];
  const num = (path: string, text: string, opts: { nullable?: boolean; required?: string } = {}): number | null | undefined => {
    const t = text.trim();
    if (t === '') {
      if (opts.nullable) return null;
      errors.push({ path, message: opts.required ?? 'Enter a number' });
      return undefined;
    }
    const n = Number(t);
    if (!Number.isFinite(n)) {
      errors.push({ path, message: `"${t}" is not a number` });
      return undefined;
    }
    return n;
  };
  const env = (path: string, text: string): Record<string, string> => {
    const out: Record<string, string> = {};
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const eq = line.indexOf('=');
      const name = eq > 0 ? line.slice(0, eq).trim() : '';
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        errors.push({ path, message: `Line ${i + 1}: write NAME=value, e.g. CUDA_VISIBLE_DEVICES=0` });
        return;
      }
      out[name] = line.slice(eq + 1).trim();
    });
    return out;
  };
  const list = (text: string) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const nullableText = (s: string) => (s.trim() === '' ? null : s.trim());
  const gpuUse = (g: Draft['gpus']): string[] | null => {
    if (g.mode === 'all') return null;
    if (g.mode === 'none') return [];
    if (g.picked.length === 0) errors.push({ path: 'gpus.use', message: 'Pick at least one GPU, or choose "None"' });
    return [...g.picked];
  };
  const lines = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);

  const m = d.metric;
  const extract =
    m.extractKind === 'regex'
      ? { kind: 'regex', pattern: m.pattern }
      : m.extractKind === 'json'
        ? { kind: 'json', file: m.jsonFile, key: m.jsonKey }
        : { kind: m.extractKind };

  const logMb = num('logMaxBytes', d.logMaxMb);
  const config = {
    version: CONFIG_VERSION,
    run: { command: d.run.command, setup: nullableText(d.run.setup), env: env('run.env', d.run.env) },
    files: { editable: [...d.files.editable], protected: [...d.files.protected], context: [...d.files.context], linked: [...d.files.linked] },
    metric: { name: m.name, direction: m.direction, extract, secondary: list(m.secondary), memoryMb: nullableText(m.memoryMb) },
    budget: {
      seconds: num('budget.seconds', d.budget.seconds, { required: 'Enter the time budget in seconds, e.g. 300' }),
      timeoutSeconds: num('budget.timeoutSeconds', d.budget.timeoutSeconds, { nullable: true }),
      graceSeconds: num('budget.graceSeconds', d.budget.graceSeconds),
    },
    acceptance: {
      rule: d.acceptance.rule,
      falseKeepRate: num('acceptance.falseKeepRate', d.acceptance.falseKeepRate),
      minImprovementMode: d.acceptance.minImprovementMode,
      minImprovement: num('acceptance.minImprovement', d.acceptance.minImprovement),
      baselineRuns: num('acceptance.baselineRuns', d.acceptance.baselineRuns),
      confirmRuns: num('acceptance.confirmRuns', d.acceptance.confirmRuns),
      auditRepeats: num('acceptance.auditRepeats', d.acceptance.auditRepeats),
      guardCommand: nullableText(d.acceptance.guardCommand),
      guardTimeoutSeconds: num('acceptance.guardTimeoutSeconds', d.acceptance.guardTimeoutSeconds),
    },
    stop: {
      maxExperiments: num('stop.maxExperiments', d.stop.maxExperiments, { nullable: true }),
      maxHours: num('stop.maxHours', d.stop.maxHours, { nullable: true }),
      maxCostUsd: num('stop.maxCostUsd', d.stop.maxCostUsd, { nullable: true }),
      target: num('stop.target', d.stop.target, { nullable: true }),
      maxConsecutiveFailures: num('stop.maxConsecutiveFailures', d.stop.maxConsecutiveFailures),
    },
    slots: d.slots.map((s, i) => slotFromDraft(s, i, { env, num, lines, error: (path, message) => void errors.push({ path, message }) })),
    approval: { mode: d.approval.mode, overLines: num('approval.overLines', d.approval.overLines) },
    search: searchFromDraft(d.search, num),
    sandbox: { network: d.sandbox.network, readOnlyInputs: d.sandbox.readOnlyInputs, writableCaches: d.sandbox.writableCaches, passEnv: list(d.sandbox.passEnv.replace(/\s+/g, ',')) },
    gpus: { use: gpuUse(d.gpus), perSlot: num('gpus.perSlot', d.gpus.perSlot, { required: 'Enter how many GPUs each slot gets, e.g. 1' }) },
    agent: {
      proposer: d.agent.proposer,
      model: d.agent.model,
      maxTokens: num('agent.maxTokens', d.agent.maxTokens),
      thinkingBudget: num('agent.thinkingBudget', d.agent.thinkingBudget),
      maxToolCalls: num('agent.maxToolCalls', d.agent.maxToolCalls),
      command: nullableText(d.agent.command),
      commandPromptVia: d.agent.commandPromptVia,
      commandTimeoutSeconds: num('agent.commandTimeoutSeconds', d.agent.commandTimeoutSeconds),
      maxDiffLines: num('agent.maxDiffLines', d.agent.maxDiffLines),
      historyLimit: num('agent.historyLimit', d.agent.historyLimit),
      prices: d.agent.prices,
    },
    heldout: heldoutFromDraft(d.heldout, num),
    hooks: hooksFromDraft(d.hooks, num),
    earlyStop: earlyStopFromDraft(d.earlyStop, num),
    logMaxBytes: typeof logMb === 'number' ? Math.round(logMb * MIB) : logMb,
    seed: seedFromDraft(d.seed),
  };
  return { config, errors };
}

interface SlotHelpers {
  readonly env: (path: string, text: string) => Record<string, string>;
  readonly num: (path: string, text: string, opts?: { nullable?: boolean; required?: string }) => number | null | undefined;
  readonly lines: (text: string) => string[];
  readonly error: (path: string, message: string) => void;
}

/** A slot back to config: no `executor` for a local slot (absent means this machine), only the chosen kind's fields. */
function slotFromDraft(s: SlotDraft, i: number, h: SlotHelpers): unknown {
  const base = `slots.${i}`;
  const env = h.env(`${base}.env`, s.env);
  const opt = (v: string) => (v.trim() === '' ? undefined : v.trim());
  if (s.kind === 'slurm') {
    const gpus = s.slurm.gpus.trim() === '' ? 0 : h.num(`${base}.executor.gpus`, s.slurm.gpus);
    const executor = { kind: 'slurm', partition: opt(s.slurm.partition), account: opt(s.slurm.account), qos: opt(s.slurm.qos), constraint: opt(s.slurm.constraint), gpus, extraArgs: h.lines(s.slurm.extraArgs) };
    return { env, executor: Object.fromEntries(Object.entries(executor).filter(([, v]) => v !== undefined)) };
  }
  if (s.kind === 'ssh') {
    const port = s.ssh.port.trim() === '' ? undefined : h.num(`${base}.executor.port`, s.ssh.port);
    const linked: Record<string, string> = {};
    s.ssh.linked.split('\n').forEach((raw, n) => {
      const line = raw.trim();
      if (!line) return;
      const eq = line.indexOf('=');
      if (eq <= 0) return h.error(`${base}.executor.linked`, `Line ${n + 1}: write NAME=/absolute/path/on/the/host, e.g. data=/scratch/me/data`);
      linked[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    });
    const executor = { kind: 'ssh', host: s.ssh.host.trim(), port, remoteDir: s.ssh.remoteDir.trim(), linked, options: h.lines(s.ssh.options) };
    return { env, executor: Object.fromEntries(Object.entries(executor).filter(([, v]) => v !== undefined)) };
  }
  return { env };
}

/** Form errors first; the schema's only where the form has none (its "expected number" adds nothing). */
export function mergeErrors(local: readonly FieldError[], server: readonly FieldError[]): FieldError[] {
  const localPaths = new Set(local.map((e) => e.path));
  return [...local, ...server.filter((e) => !localPaths.has(e.path))];
}

/** Errors at a path or below it (a list's items report as files.editable.0). */
export function errorsAt(errors: readonly FieldError[], path: string): FieldError[] {
  return errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`));
}

/** Immutable update of one section of the draft. */
export function patch<K extends keyof Draft>(d: Draft, section: K, changes: Partial<Draft[K]>): Draft {
  const current = d[section];
  if (Array.isArray(current) || typeof current !== 'object') return { ...d, [section]: changes as Draft[K] };
  return { ...d, [section]: { ...(current as object), ...changes } };
}
