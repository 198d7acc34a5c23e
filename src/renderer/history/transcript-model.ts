// Turns a saved agent transcript (agent/<id>.json) into a flat list the Agent tab can show. Transcripts
// come from different proposers: the claude proposer's turns, an external agent command's output, or a
// plain Anthropic-style message list. Anything else is shown as JSON rather than hidden.

export type TranscriptEntry =
  | { readonly kind: 'system'; readonly text: string }
  | { readonly kind: 'prompt'; readonly text: string }
  | { readonly kind: 'turn'; readonly index: number; readonly stopReason: string | null; readonly usage: UsageLike | null; readonly durationMs: number | null }
  | { readonly kind: 'text'; readonly role: 'assistant' | 'user'; readonly text: string }
  | { readonly kind: 'thinking'; readonly text: string }
  | { readonly kind: 'tool_use'; readonly id: string; readonly name: string; readonly input: string }
  | { readonly kind: 'tool_result'; readonly id: string; readonly name: string | null; readonly isError: boolean; readonly content: string }
  | { readonly kind: 'output'; readonly text: string }
  | { readonly kind: 'notice'; readonly level: 'info' | 'warning' | 'error'; readonly text: string };

export interface UsageLike {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationInputTokens: number;
  readonly cacheReadInputTokens: number;
  readonly costUsd?: number | null;
}

export interface NormalizedTranscript {
  readonly proposer: string;
  readonly model: string | null;
  /** Label/value pairs for the header (command, exit code, duration, tool calls...). */
  readonly facts: readonly (readonly [string, string])[];
  readonly entries: readonly TranscriptEntry[];
  readonly usage: UsageLike | null;
  readonly outcome: { readonly description: string; readonly hypothesis: string; readonly rejectedReason: string | null } | null;
  /** Set when the shape was not recognised: the raw JSON to show instead. */
  readonly raw: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function pretty(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    // A cycle or a BigInt cannot be JSON: shown as text instead.
    return String(v);
  }
}

function usageOf(v: unknown): UsageLike | null {
  if (!isObj(v)) return null;
  const input = num(v.inputTokens) ?? num(v.input_tokens);
  const output = num(v.outputTokens) ?? num(v.output_tokens);
  if (input === null && output === null) return null;
  return {
    inputTokens: input ?? 0,
    outputTokens: output ?? 0,
    cacheCreationInputTokens: num(v.cacheCreationInputTokens) ?? num(v.cache_creation_input_tokens) ?? 0,
    cacheReadInputTokens: num(v.cacheReadInputTokens) ?? num(v.cache_read_input_tokens) ?? 0,
    costUsd: num(v.costUsd),
  };
}

function outcomeOf(v: unknown): NormalizedTranscript['outcome'] {
  if (!isObj(v)) return null;
  return { description: str(v.description) ?? '', hypothesis: str(v.hypothesis) ?? '', rejectedReason: str(v.rejectedReason) };
}

function resultContent(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((b) => (isObj(b) && typeof b.text === 'string' ? b.text : pretty(b))).join('\n');
  return pretty(v);
}

/** Content blocks of the Messages API (text, thinking, tool_use, tool_result) as entries. */
function blocksToEntries(content: unknown, role: 'assistant' | 'user', toolNames: Map<string, string>): TranscriptEntry[] {
  if (typeof content === 'string') return content ? [{ kind: 'text', role, text: content }] : [];
  if (!Array.isArray(content)) return [];
  const out: TranscriptEntry[] = [];
  for (const b of content) {
    if (!isObj(b)) continue;
    switch (b.type) {
      case 'text':
        if (str(b.text)) out.push({ kind: 'text', role, text: str(b.text)! });
        break;
      case 'thinking':
        out.push({ kind: 'thinking', text: str(b.thinking) ?? '' });
        break;
      case 'redacted_thinking':
        out.push({ kind: 'thinking', text: '(redacted thinking)' });
        break;
      case 'tool_use': {
        const id = str(b.id) ?? '';
        const name = str(b.name) ?? 'tool';
        toolNames.set(id, name);
        out.push({ kind: 'tool_use', id, name, input: pretty(b.input) });
        break;
      }
      case 'tool_result': {
        const id = str(b.tool_use_id) ?? '';
        out.push({ kind: 'tool_result', id, name: toolNames.get(id) ?? null, isError: b.is_error === true, content: resultContent(b.content) });
        break;
      }
      default:
        out.push({ kind: 'notice', level: 'info', text: `(${String(b.type)} block)` });
    }
  }
  return out;
}

function fromTurns(t: Obj): NormalizedTranscript {
  const entries: TranscriptEntry[] = [];
  const toolNames = new Map<string, string>();
  if (str(t.system)) entries.push({ kind: 'system', text: str(t.system)! });
  if (str(t.prompt)) entries.push({ kind: 'prompt', text: str(t.prompt)! });
  const retries = Array.isArray(t.retries) ? t.retries.filter(isObj) : [];
  const turns = Array.isArray(t.turns) ? t.turns.filter(isObj) : [];
  turns.forEach((turn, i) => {
    const index = num(turn.index) ?? i;
    entries.push({ kind: 'turn', index, stopReason: str(turn.stopReason), usage: usageOf(turn.usage), durationMs: num(turn.durationMs) });
    for (const r of retries.filter((r) => num(r.turn) === index)) {
      entries.push({ kind: 'notice', level: 'warning', text: `Retry ${num(r.attempt) ?? '?'}: ${str(r.error) ?? 'error'} (waited ${Math.round((num(r.waitMs) ?? 0) / 1000)} s)` });
    }
    entries.push(...blocksToEntries(turn.content, 'assistant', toolNames));
    const results = Array.isArray(turn.toolResults) ? turn.toolResults.filter(isObj) : [];
    for (const r of results) {
      const id = str(r.toolUseId) ?? '';
      entries.push({ kind: 'tool_result', id, name: toolNames.get(id) ?? null, isError: r.isError === true, content: resultContent(r.content) });
    }
  });
  const outcome = outcomeOf(t.outcome);
  if (outcome?.rejectedReason) entries.push({ kind: 'notice', level: 'error', text: `Rejected: ${outcome.rejectedReason}` });
  const facts: [string, string][] = [];
  if (num(t.toolCalls) !== null) facts.push(['Tool calls', String(t.toolCalls)]);
  if (isObj(t.settings)) {
    const s = t.settings;
    if (num(s.maxTokens) !== null) facts.push(['Max tokens', String(s.maxTokens)]);
    if (num(s.thinkingBudget)) facts.push(['Thinking budget', String(s.thinkingBudget)]);
  }
  if (retries.length) facts.push(['Retries', String(retries.length)]);
  return { proposer: str(t.proposer) ?? 'claude', model: str(t.model), facts, entries, usage: usageOf(t.usage), outcome, raw: null };
}

function fromMessages(t: Obj): NormalizedTranscript {
  const entries: TranscriptEntry[] = [];
  const toolNames = new Map<string, string>();
  if (str(t.system)) entries.push({ kind: 'system', text: str(t.system)! });
  for (const m of (t.messages as unknown[]).filter(isObj)) {
    const role = m.role === 'user' ? 'user' : 'assistant';
    entries.push(...blocksToEntries(m.content, role, toolNames));
  }
  return { proposer: str(t.proposer) ?? 'agent', model: str(t.model), facts: [], entries, usage: usageOf(t.usage), outcome: outcomeOf(t.outcome), raw: null };
}

function fromCommand(t: Obj): NormalizedTranscript {
  const entries: TranscriptEntry[] = [];
  if (str(t.prompt)) entries.push({ kind: 'prompt', text: str(t.prompt)! });
  if (str(t.output) !== null) entries.push({ kind: 'output', text: str(t.output)! });
  const outcome = outcomeOf(t.outcome);
  if (outcome?.rejectedReason) entries.push({ kind: 'notice', level: 'error', text: `Rejected: ${outcome.rejectedReason}` });
  const facts: [string, string][] = [];
  if (str(t.command)) facts.push(['Command', str(t.command)!]);
  if (str(t.promptVia)) facts.push(['Prompt via', str(t.promptVia)!]);
  if (t.exitCode !== undefined) facts.push(['Exit code', t.exitCode === null ? '—' : String(t.exitCode)]);
  if (str(t.signal)) facts.push(['Signal', str(t.signal)!]);
  if (t.timedOut === true) facts.push(['Timed out', 'yes']);
  if (num(t.durationMs) !== null) facts.push(['Duration', `${((t.durationMs as number) / 1000).toFixed(1)} s`]);
  if (Array.isArray(t.changedFiles)) facts.push(['Changed files', t.changedFiles.map(String).join(', ') || '—']);
  return { proposer: 'command', model: null, facts, entries, usage: usageOf(t.usage), outcome, raw: null };
}

export function normalizeTranscript(raw: unknown): NormalizedTranscript | null {
  if (raw === null || raw === undefined) return null;
  if (isObj(raw)) {
    if (Array.isArray(raw.turns)) return fromTurns(raw);
    if (Array.isArray(raw.messages)) return fromMessages(raw);
    if (raw.proposer === 'command' || typeof raw.command === 'string') return fromCommand(raw);
  }
  if (Array.isArray(raw) && raw.every((m) => isObj(m) && 'role' in m)) return fromMessages({ messages: raw });
  return { proposer: isObj(raw) ? (str(raw.proposer) ?? 'agent') : 'agent', model: null, facts: [], entries: [], usage: null, outcome: null, raw: pretty(raw) };
}
