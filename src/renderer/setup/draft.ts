// The setup form's working copy of the config. Numbers are kept as the text the user typed (so "0." or
// an empty box can be edited), env maps as NAME=value lines, lists as arrays. fromDraft turns it back
// into the config object the schema validates, plus the errors only the form can see (text that is not
// a number, a malformed env line), at the same dotted paths the schema uses.
import {
  AcceptanceSchema,
  AgentSchema,
  ApprovalSchema,
  CONFIG_VERSION,
  StopSchema,
  type FieldError,
  type Price,
  type ProjectConfig,
  type ProjectConfigInput,
} from '../../shared/config.js';

export type ExtractKind = 'line' | 'metric-line' | 'regex' | 'json';
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
  readonly slots: readonly { readonly env: string }[];
  readonly approval: { readonly mode: 'off' | 'large' | 'all'; readonly overLines: string };
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
    slots: (c.slots && c.slots.length ? c.slots : [{ env: {} }]).map((s) => ({ env: envToText(s.env) })),
    approval: { mode: approval.mode, overLines: str(approval.overLines) },
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
    logMaxMb: str(Math.round(((c.logMaxBytes ?? 50 * MIB) / MIB) * 100) / 100),
  };
}

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
    slots: d.slots.map((s, i) => ({ env: env(`slots.${i}.env`, s.env) })),
    approval: { mode: d.approval.mode, overLines: num('approval.overLines', d.approval.overLines) },
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
    logMaxBytes: typeof logMb === 'number' ? Math.round(logMb * MIB) : logMb,
  };
  return { config, errors };
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
