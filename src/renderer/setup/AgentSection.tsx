// Setup → Agent: who proposes the changes (mutation, Claude, an external CLI, an OpenAI-compatible server)
// and the limits on what a proposal may be.
import { DEFAULT_PRICES } from '../../shared/config.js';
import { ApiKeyBox } from './ApiKeyBox.js';
import { patch, type Draft } from './draft.js';
import { NumberField, RadioField, Section, SelectField, TextField } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function AgentSection({ draft, errors, setDraft }: SectionProps) {
  const agent = (changes: Partial<Draft['agent']>) => setDraft((d) => patch(d, 'agent', changes));
  return (
    <Section id="agent" title="Agent" description="Who proposes the changes. The agent only edits files; the studio commits, runs and judges." errorCount={sectionErrorCount(errors, 'agent')}>
      <RadioField
        path="agent.proposer"
        label="Proposer"
        value={draft.agent.proposer}
        onChange={(v) => agent({ proposer: v })}
        errors={errors}
        options={[
          { value: 'mutation', label: 'Mutation (offline, no LLM)' },
          { value: 'claude', label: 'Claude (Anthropic API)' },
          { value: 'command', label: 'External agent CLI' },
          { value: 'openai-compatible', label: 'OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio)' },
        ]}
      />
      {draft.agent.proposer === 'openai-compatible' ? (
        <>
          <TextField path="agent.model" label="Model" mono value={draft.agent.model} onChange={(v) => agent({ model: v })} errors={errors} hint="The name the server knows the model by, e.g. qwen2.5-coder:32b." />
          <NumberField path="agent.maxTokens" label="Max tokens" value={draft.agent.maxTokens} onChange={(v) => agent({ maxTokens: v })} errors={errors} />
          <NumberField path="agent.maxToolCalls" label="Tool calls per proposal" value={draft.agent.maxToolCalls} onChange={(v) => agent({ maxToolCalls: v })} errors={errors} />
          <p className="muted">
            The server's address is never read from the project: start the app or <code>autoresearch</code> with OPENAI_BASE_URL set (e.g. http://127.0.0.1:11434/v1; https unless the server is on this machine) and OPENAI_API_KEY if it wants a key.
          </p>
        </>
      ) : null}
      {draft.agent.proposer === 'claude' ? (
        <>
          <TextField path="agent.model" label="Model" mono value={draft.agent.model} onChange={(v) => agent({ model: v })} errors={errors} list="known-models" />
          <datalist id="known-models">
            {Object.keys({ ...DEFAULT_PRICES, ...draft.agent.prices }).map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          <ApiKeyBox needed />
          <NumberField path="agent.maxTokens" label="Max tokens" value={draft.agent.maxTokens} onChange={(v) => agent({ maxTokens: v })} errors={errors} />
          <NumberField path="agent.thinkingBudget" label="Thinking budget" value={draft.agent.thinkingBudget} onChange={(v) => agent({ thinkingBudget: v })} errors={errors} hint="Tokens of extended thinking; 0 for none." />
          <NumberField path="agent.maxToolCalls" label="Tool calls per proposal" value={draft.agent.maxToolCalls} onChange={(v) => agent({ maxToolCalls: v })} errors={errors} />
        </>
      ) : null}
      {draft.agent.proposer === 'command' ? (
        <>
          <TextField path="agent.command" label="Agent command" mono wide value={draft.agent.command} onChange={(v) => agent({ command: v })} errors={errors} placeholder="claude -p" />
          <SelectField
            path="agent.commandPromptVia"
            label="Prompt via"
            value={draft.agent.commandPromptVia}
            onChange={(v) => agent({ commandPromptVia: v })}
            errors={errors}
            options={[
              { value: 'stdin', label: 'Standard input' },
              { value: 'arg', label: 'Last argument' },
            ]}
          />
          <NumberField path="agent.commandTimeoutSeconds" label="Agent timeout" unit="s" value={draft.agent.commandTimeoutSeconds} onChange={(v) => agent({ commandTimeoutSeconds: v })} errors={errors} />
        </>
      ) : null}
      {draft.agent.proposer === 'mutation' ? (
        <div className="field-hint" style={{ paddingLeft: 'calc(var(--label-width) + 10px)' }}>
          Nudges the numeric hyperparameters of the editable files (top-level constants, argparse defaults, dataclass and config-class fields, YAML/TOML/JSON numbers), one or two at a time, refining around the best; the run stops on its own when nothing is left to try. No API key, no network.
        </div>
      ) : null}
      <NumberField path="agent.maxDiffLines" label="Largest diff" unit="lines" value={draft.agent.maxDiffLines} onChange={(v) => agent({ maxDiffLines: v })} errors={errors} hint="A bigger proposal is rejected." />
      <NumberField path="agent.historyLimit" label="History shown" unit="experiments" value={draft.agent.historyLimit} onChange={(v) => agent({ historyLimit: v })} errors={errors} hint="Past experiments the agent sees, so it does not retry dead ends." />
      <div className="field-hint" style={{ paddingLeft: 'calc(var(--label-width) + 10px)' }} data-testid="agent-ahead-hint">
        The agent works one proposal ahead per slot while the trainer runs, so the GPU does not wait for it. The cost: the previous experiment&apos;s result arrives one step late, and a proposal may be carried onto a newer best (made again when it conflicts). While proposals conflict with changes being kept, it also makes one on the experiment being measured, used only if that one is kept: more agent calls, no idle GPU. For strictly one-at-a-time, set <code>agent.queueDepth</code> to 0 in config.json.
      </div>
    </Section>
  );
}
