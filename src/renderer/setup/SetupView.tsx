// Project setup as forms: every field of the config, validated live (the same schema the engine uses),
// errors next to their fields, saved to .autoresearch/config.json.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FileEntry, ProjectInfo } from '../../shared/api.js';
import { DEFAULT_PRICES, type FieldError } from '../../shared/config.js';
import { useApi } from '../api/hooks.js';
import { navigate } from '../app/router.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { hasMod, MOD } from '../components/KeyboardShortcuts.js';
import { clearToast, toast } from '../components/Toast.js';
import { useStudio } from '../store/studio.js';
import { ApiKeyBox } from './ApiKeyBox.js';
import { emptySlot, fromDraft, mergeErrors, patch, toDraft, type Draft } from './draft.js';
import { FilePicker, type FileList } from './FilePicker.js';
import { GpuFields } from './GpuFields.js';
import { MetricTest } from './MetricTest.js';
import { SlotFields } from './SlotFields.js';
import { NumberField, RadioField, Section, SelectField, TextAreaField, TextField } from './fields.js';
import { describeAcceptanceCost, describeAcceptanceRule } from '../../shared/acceptance-text.js';
import './setup.css';

const SECTIONS = [
  { id: 'run', title: 'Run', prefixes: ['run', 'logMaxBytes'] },
  { id: 'metric', title: 'Metric', prefixes: ['metric'] },
  { id: 'files', title: 'Files', prefixes: ['files'] },
  { id: 'budget', title: 'Budget', prefixes: ['budget'] },
  { id: 'acceptance', title: 'Acceptance', prefixes: ['acceptance'] },
  { id: 'stop', title: 'Stop conditions', prefixes: ['stop'] },
  { id: 'approval', title: 'Approval', prefixes: ['approval'] },
  { id: 'slots', title: 'Slots', prefixes: ['slots', 'gpus'] },
  { id: 'agent', title: 'Agent', prefixes: ['agent'] },
] as const;

const inSection = (path: string, prefixes: readonly string[]) => prefixes.some((p) => path === p || path.startsWith(`${p}.`));

export function SetupView() {
  const project = useStudio((s) => s.project);
  if (!project) {
    return (
      <EmptyState title="No project is open" actions={<Button variant="primary" onClick={() => navigate({ view: 'start' })}>Open a project</Button>}>
        Open your project folder, or try the demo, to set it up.
      </EmptyState>
    );
  }
  return <SetupForm key={project.dir} project={project} />;
}

function SetupForm({ project }: { readonly project: ProjectInfo }) {
  const api = useApi();
  const runs = useStudio((s) => s.runs);
  const gpus = useStudio((s) => s.gpus);
  const live = useStudio((s) => s.live);
  const [draft, setDraft] = useState<Draft>(() => toDraft(project.config ?? project.suggestedConfig));
  const [saved, setSaved] = useState<string>(() => (project.config ? JSON.stringify(fromDraft(toDraft(project.config)).config) : ''));
  const [serverErrors, setServerErrors] = useState<readonly FieldError[]>([]);
  const [validating, setValidating] = useState(false);
  const [saving, setSaving] = useState(false);
  const [files, setFiles] = useState<readonly FileEntry[] | null>(null);
  const [filesError, setFilesError] = useState<string | null>(null);
  const [busyGit, setBusyGit] = useState(false);

  const conversion = useMemo(() => fromDraft(draft), [draft]);
  const configJson = useMemo(() => JSON.stringify(conversion.config), [conversion]);
  const dirty = configJson !== saved;
  const errors = useMemo(() => mergeErrors(conversion.errors, serverErrors), [conversion.errors, serverErrors]);

  // A save elsewhere (another window, the CLI) reloads the form unless the user has unsaved edits.
  const savedConfigJson = project.config ? JSON.stringify(fromDraft(toDraft(project.config)).config) : '';
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  useEffect(() => {
    if (!savedConfigJson || savedConfigJson === saved) return;
    if (!dirtyRef.current) {
      setDraft(toDraft(project.config));
      setSaved(savedConfigJson);
    }
  }, [savedConfigJson, saved, project.config]);

  // Live validation against the engine's schema, debounced; only the latest answer counts.
  const validation = useRef(0);
  useEffect(() => {
    const mine = ++validation.current;
    setValidating(true);
    const t = setTimeout(() => {
      api
        .validateConfig({ config: conversion.config })
        .then((r) => mine === validation.current && setServerErrors(r.errors))
        .catch((err: Error) => mine === validation.current && setServerErrors([{ path: '', message: `Could not validate: ${err.message}` }]))
        .finally(() => mine === validation.current && setValidating(false));
    }, 250);
    return () => clearTimeout(t);
  }, [api, configJson, conversion.config]);

  const loadFiles = useCallback(() => {
    api
      .listFiles({})
      .then((r) => {
        setFiles(r.files);
        setFilesError(null);
      })
      .catch((err: Error) => setFilesError(`Could not list the project's files: ${err.message}`));
  }, [api]);
  useEffect(() => loadFiles(), [loadFiles, project.isGit]);

  const save = useCallback(async () => {
    if (saving) return;
    setSaving(true);
    try {
      const result = await api.saveConfig({ config: conversion.config });
      if (result.ok) {
        setServerErrors([]);
        setSaved(configJson);
        toast('info', 'Setup saved to .autoresearch/config.json', 'setup-save');
      } else {
        // One place per failure: the form marks each problem next to its field and counts them in its
        // header, so no toast repeats them (and an earlier one about this save is taken back).
        setServerErrors(result.errors);
        clearToast('setup-save');
      }
    } catch (err) {
      toast('error', `Not saved: ${(err as Error).message}`, 'setup-save');
    } finally {
      setSaving(false);
    }
  }, [api, configJson, conversion.config, saving]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (hasMod(e) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save]);

  const set = <K extends keyof Draft>(section: K) => (changes: Partial<Draft[K]>) => setDraft((d) => patch(d, section, changes));
  const run = set('run');
  const metric = set('metric');
  const budget = set('budget');
  const acceptance = set('acceptance');
  const stop = set('stop');
  const agent = set('agent');
  const approval = set('approval');
  const setList = (kind: FileList, next: readonly string[]) => setDraft((d) => patch(d, 'files', { [kind]: next }));

  const sectionErrors = (prefixes: readonly string[]) => errors.filter((e) => inSection(e.path, prefixes)).length;
  const unplaced = errors.filter((e) => !SECTIONS.some((s) => inSection(e.path, s.prefixes)));
  const budgetSeconds = Number(draft.budget.seconds);
  const runLive = live !== null && live.state !== 'stopped';
  const metricConfig = (conversion.config as { metric: unknown }).metric;
  const slotConfigs = (conversion.config as { slots: readonly unknown[] }).slots;

  return (
    <div className="setup" data-testid="setup-view">
      <nav className="setup-toc" aria-label="Setup sections">
        {SECTIONS.map((s) => {
          const n = sectionErrors(s.prefixes);
          return (
            <a key={s.id} href={`#/setup`} onClick={(e) => (e.preventDefault(), document.getElementById(`setup-${s.id}`)?.scrollIntoView({ block: 'start' }))}>
              {s.title}
              {n ? <span className="badge bad">{n}</span> : null}
            </a>
          );
        })}
      </nav>
      <div className="setup-main">
        <div className="setup-head">
          <div className="grow">
            <h1>Setup</h1>
            <div className="faint mono">{project.dir}/.autoresearch/config.json</div>
          </div>
          <span className="save-state" data-testid="setup-state" data-state={errors.length ? 'invalid' : dirty ? 'unsaved' : 'saved'}>
            {validating ? 'Checking…' : errors.length ? `${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}` : dirty ? 'Unsaved changes' : project.config ? 'Saved' : 'Not saved yet'}
          </span>
          <Button onClick={() => setDraft(toDraft(project.config ?? project.suggestedConfig))} disabledReason={dirty ? null : 'Nothing to revert'}>
            Revert
          </Button>
          <Button variant="primary" onClick={() => void save()} disabledReason={saving ? 'Saving…' : null} title={`Save (${MOD}+S)`} data-testid="setup-save">
            Save
          </Button>
        </div>

        {!project.isGit ? (
          <div className="banner" data-testid="banner-not-git">
            <div className="grow">
              <strong>This folder is not a git repository.</strong> The studio commits every candidate and reverts failures with git, so runs need
              one. Making it one commits the current files as they are.
            </div>
            <Button
              variant="primary"
              disabledReason={busyGit ? 'Working…' : null}
              onClick={() => {
                setBusyGit(true);
                api
                  .gitInit({})
                  .then(() => toast('info', 'Initialised a git repository with one commit', 'git-init'))
                  .catch((err: Error) => toast('error', `git init failed: ${err.message}`, 'git-init'))
                  .finally(() => setBusyGit(false));
              }}
              data-testid="git-init"
            >
              Make it a git repository
            </Button>
          </div>
        ) : null}
        {project.isGit && project.repoSubfolder ? (
          <div className="banner info" data-testid="banner-subfolder">
            <div className="grow">
              <strong>A subfolder of its repository</strong> ({project.repoSubfolder}/). Each slot's worktree is a checkout of the whole repository and
              commands run in this folder's copy there; file patterns are relative to this folder, and the agent may change nothing outside it.
            </div>
          </div>
        ) : null}
        {project.dirtyFiles.length > 0 ? (
          <div className="banner" data-testid="banner-dirty">
            <div className="grow">
              <strong>Uncommitted changes</strong> in {project.dirtyFiles.slice(0, 6).join(', ')}
              {project.dirtyFiles.length > 6 ? ` and ${project.dirtyFiles.length - 6} more` : ''}. Commit or discard them before starting a run: every
              experiment starts from a commit.
            </div>
          </div>
        ) : null}
        {!project.config && project.configErrors.length > 0 ? (
          <div className="banner error" data-testid="banner-config-invalid">
            <div className="grow">
              <strong>The saved config.json is invalid</strong> ({project.configErrors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}). The form
              shows a fresh suggestion; saving replaces the file.
            </div>
          </div>
        ) : null}
        {!project.config && project.configErrors.length === 0 ? (
          <div className="banner info" data-testid="banner-suggested">
            <div className="grow">
              {project.layout === 'autoresearch'
                ? 'Detected the autoresearch layout (train.py, prepare.py, program.md): the form is prefilled from it. Review, then save.'
                : 'No setup yet: fill in the run command, the metric and the editable files, then save.'}
            </div>
          </div>
        ) : null}
        {runLive ? (
          <div className="banner info">
            <div className="grow">A run is live. It keeps the settings it started with; saved changes apply to the next run.</div>
          </div>
        ) : null}
        {unplaced.length > 0 ? (
          <div className="banner error" data-testid="setup-errors">
            <div className="grow">{unplaced.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}</div>
          </div>
        ) : null}

        <Section id="run" title="Run" description="The command that runs one experiment in the project folder (one worktree per slot)." errorCount={sectionErrors(['run', 'logMaxBytes'])}>
          <TextField path="run.command" label="Run command" mono wide value={draft.run.command} onChange={(v) => run({ command: v })} errors={errors} placeholder="uv run train.py" hint="Runs with AUTORESEARCH_TIME_BUDGET set; its output goes to the experiment's log." />
          <TextField path="run.setup" label="Setup command" mono wide value={draft.run.setup} onChange={(v) => run({ setup: v })} errors={errors} placeholder="uv run prepare.py (optional)" hint="Runs once when a run starts, e.g. data preparation. Leave empty for none." />
          <TextAreaField path="run.env" label="Environment" value={draft.run.env} onChange={(v) => run({ env: v })} errors={errors} placeholder="NAME=value, one per line" rows={2} />
          <NumberField path="logMaxBytes" label="Log cap" unit="MiB" value={draft.logMaxMb} onChange={(v) => setDraft((d) => ({ ...d, logMaxMb: v }))} errors={errors} hint="Each experiment's log keeps its head and tail within this size." />
        </Section>

        <Section id="metric" title="Metric" description="One number decides keep or discard. The last occurrence in the output wins." errorCount={sectionErrors(['metric'])}>
          <TextField path="metric.name" label="Name" mono value={draft.metric.name} onChange={(v) => metric({ name: v })} errors={errors} placeholder="val_bpb" />
          <RadioField
            path="metric.direction"
            label="Better is"
            value={draft.metric.direction}
            onChange={(v) => metric({ direction: v })}
            errors={errors}
            options={[
              { value: 'min', label: 'Lower (loss, bpb, seconds)' },
              { value: 'max', label: 'Higher (accuracy, throughput)' },
            ]}
          />
          <SelectField
            path="metric.extract.kind"
            label="Read it from"
            value={draft.metric.extractKind}
            onChange={(v) => metric({ extractKind: v })}
            errors={errors}
            options={[
              { value: 'line', label: 'A "name: value" line (autoresearch)' },
              { value: 'metric-line', label: 'A "METRIC name=value" line' },
              { value: 'regex', label: 'A regular expression' },
              { value: 'json', label: 'A JSON file the command writes' },
            ]}
          />
          {draft.metric.extractKind === 'regex' ? (
            <TextField path="metric.extract.pattern" label="Pattern" mono wide value={draft.metric.pattern} onChange={(v) => metric({ pattern: v })} errors={errors} placeholder="loss=([0-9.]+)" hint="Exactly one capture group around the number." />
          ) : null}
          {draft.metric.extractKind === 'json' ? (
            <>
              <TextField path="metric.extract.file" label="JSON file" mono value={draft.metric.jsonFile} onChange={(v) => metric({ jsonFile: v })} errors={errors} placeholder="results.json" />
              <TextField path="metric.extract.key" label="Key" mono value={draft.metric.jsonKey} onChange={(v) => metric({ jsonKey: v })} errors={errors} placeholder="eval.accuracy" hint="A dotted path to the number." />
            </>
          ) : null}
          <TextField path="metric.secondary" label="Also record" mono wide value={draft.metric.secondary} onChange={(v) => metric({ secondary: v })} errors={errors} placeholder="training_seconds, num_steps" hint="Other numbers to keep with each experiment, comma-separated." />
          <TextField path="metric.memoryMb" label="Peak memory (MB)" mono value={draft.metric.memoryMb} onChange={(v) => metric({ memoryMb: v })} errors={errors} placeholder="peak_vram_mb" hint="The number that results.tsv shows as memory_gb; empty for none." />
          <MetricTest metric={metricConfig} hasRuns={runs.length > 0} />
        </Section>

        <Section id="files" title="Files" description="The harness enforces these: a proposal that touches anything else is rejected." errorCount={sectionErrors(['files'])}>
          <FilePicker files={files} loadError={filesError} lists={draft.files} onChange={setList} errors={errors} />
        </Section>

        <Section id="budget" title="Budget" description="Every experiment gets the same time, so results are comparable." errorCount={sectionErrors(['budget'])}>
          <NumberField path="budget.seconds" label="Time budget" unit="s" value={draft.budget.seconds} onChange={(v) => budget({ seconds: v })} errors={errors} placeholder="300" hint="Given to the command as AUTORESEARCH_TIME_BUDGET." />
          <NumberField
            path="budget.timeoutSeconds"
            label="Timeout"
            unit="s"
            value={draft.budget.timeoutSeconds}
            onChange={(v) => budget({ timeoutSeconds: v })}
            errors={errors}
            placeholder={Number.isFinite(budgetSeconds) && budgetSeconds > 0 ? `${budgetSeconds * 2} (2 × budget)` : '2 × budget'}
            hint="The whole process group is killed after this; the experiment counts as a timeout."
          />
          <NumberField path="budget.graceSeconds" label="Grace period" unit="s" value={draft.budget.graceSeconds} onChange={(v) => budget({ graceSeconds: v })} errors={errors} hint="Between SIGTERM and SIGKILL." />
        </Section>

        <Section id="acceptance" title="Acceptance" description="When a candidate counts as better than the best so far." errorCount={sectionErrors(['acceptance'])}>
          <SelectField
            path="acceptance.rule"
            label="Rule"
            value={draft.acceptance.rule}
            onChange={(v) => acceptance({ rule: v })}
            errors={errors}
            options={[
              { value: 'noise-aware', label: 'Noise-aware (recommended)' },
              { value: 'classic', label: 'Classic: better once (autoresearch)' },
            ]}
          />
          <p className="field-note wide" data-testid="acceptance-rule-note">
            {describeAcceptanceRule({ rule: draft.acceptance.rule, falseKeepRate: Number(draft.acceptance.falseKeepRate) || 0.02, confirmRuns: Number(draft.acceptance.confirmRuns) || 0 })}{' '}
            <span className="muted" data-testid="acceptance-rule-cost">
              {describeAcceptanceCost({ rule: draft.acceptance.rule, baselineRuns: Number(draft.acceptance.baselineRuns) || 1, confirmRuns: Number(draft.acceptance.confirmRuns) || 0 }, Number(draft.budget.seconds) || null)}
            </span>
          </p>
          {draft.acceptance.rule === 'noise-aware' ? (
            <NumberField path="acceptance.falseKeepRate" label="False-keep rate" value={draft.acceptance.falseKeepRate} onChange={(v) => acceptance({ falseKeepRate: v })} errors={errors} hint="The most a change with no real effect may be kept, per comparison (0.02 = 2 %)." />
          ) : null}
          <SelectField
            path="acceptance.minImprovementMode"
            label="Minimum improvement (classic)"
            value={draft.acceptance.minImprovementMode}
            onChange={(v) => acceptance({ minImprovementMode: v })}
            errors={errors}
            options={[
              { value: 'absolute', label: 'In metric units' },
              { value: 'relative', label: 'As a fraction of the best' },
              { value: 'noise', label: 'In multiples of the noise floor' },
            ]}
          />
          <NumberField
            path="acceptance.minImprovement"
            label={draft.acceptance.minImprovementMode === 'noise' ? 'k × noise floor' : draft.acceptance.minImprovementMode === 'relative' ? 'Fraction' : 'Amount'}
            value={draft.acceptance.minImprovement}
            onChange={(v) => acceptance({ minImprovement: v })}
            errors={errors}
            hint={`${draft.acceptance.minImprovementMode === 'relative' ? '0.001 = 0.1 %' : draft.acceptance.minImprovementMode === 'noise' ? 'The noise floor is the spread of the baseline runs.' : '0 keeps any strict improvement.'}${draft.acceptance.rule === 'classic' ? '' : ' Used by the classic rule only.'}`}
          />
          <NumberField path="acceptance.baselineRuns" label="Baseline runs" value={draft.acceptance.baselineRuns} onChange={(v) => acceptance({ baselineRuns: v })} errors={errors} hint="Repeat the baseline to measure the noise floor (2 or more)." />
          <NumberField path="acceptance.confirmRuns" label="Confirmation runs" value={draft.acceptance.confirmRuns} onChange={(v) => acceptance({ confirmRuns: v })} errors={errors} hint={draft.acceptance.rule === 'classic' ? 'Re-run a narrow win this many times; kept only if the mean still wins.' : 'At most this many more runs to confirm a promising win.'} />
          <NumberField path="acceptance.auditRepeats" label="Audit at the end" value={draft.acceptance.auditRepeats} onChange={(v) => acceptance({ auditRepeats: v })} errors={errors} hint="When the run stops on a limit, re-run the baseline and the best this many times each, interleaved, for a 95 % interval (0 = no audit)." />
          <TextField path="acceptance.guardCommand" label="Guard command" mono wide value={draft.acceptance.guardCommand} onChange={(v) => acceptance({ guardCommand: v })} errors={errors} placeholder="npm test (optional)" hint="Must exit 0 in the candidate's worktree before a keep." />
          <NumberField path="acceptance.guardTimeoutSeconds" label="Guard timeout" unit="s" value={draft.acceptance.guardTimeoutSeconds} onChange={(v) => acceptance({ guardTimeoutSeconds: v })} errors={errors} />
        </Section>

        <Section id="stop" title="Stop conditions" description="Empty means no limit; the loop otherwise runs until you stop it." errorCount={sectionErrors(['stop'])}>
          <NumberField path="stop.maxExperiments" label="Max experiments" value={draft.stop.maxExperiments} onChange={(v) => stop({ maxExperiments: v })} errors={errors} placeholder="no limit" hint="After the baseline." />
          <NumberField path="stop.maxHours" label="Max hours" unit="h" value={draft.stop.maxHours} onChange={(v) => stop({ maxHours: v })} errors={errors} placeholder="no limit" />
          <NumberField path="stop.maxCostUsd" label="Max agent cost" unit="USD" value={draft.stop.maxCostUsd} onChange={(v) => stop({ maxCostUsd: v })} errors={errors} placeholder="no limit" />
          <NumberField path="stop.target" label="Target metric" value={draft.stop.target} onChange={(v) => stop({ target: v })} errors={errors} placeholder="none" hint="Stop when the best reaches it." />
          <NumberField path="stop.maxConsecutiveFailures" label="Failures in a row" value={draft.stop.maxConsecutiveFailures} onChange={(v) => stop({ maxConsecutiveFailures: v })} errors={errors} hint="Crashes, timeouts or rejections before the run stops (circuit breaker)." />
        </Section>

        <Section id="approval" title="Approval" description="Proposals that wait for you before they run; the other slots keep working meanwhile." errorCount={sectionErrors(['approval'])}>
          <RadioField
            path="approval.mode"
            label="Ask me before running"
            value={draft.approval.mode}
            onChange={(v) => approval({ mode: v })}
            errors={errors}
            options={[
              { value: 'off', label: 'Never (run every proposal)' },
              { value: 'large', label: 'Large proposals' },
              { value: 'all', label: 'Every proposal' },
            ]}
          />
          {draft.approval.mode === 'large' ? (
            <NumberField path="approval.overLines" label="Large means over" unit="lines" value={draft.approval.overLines} onChange={(v) => approval({ overLines: v })} errors={errors} hint="Lines added plus lines removed by the proposal." />
          ) : null}
        </Section>

        <Section id="slots" title="Slots" description="Experiments run in parallel, one per slot, each in its own worktree with its own environment, on this machine, a Slurm cluster or an SSH host." errorCount={sectionErrors(['slots', 'gpus'])}>
          {draft.slots.map((slot, i) => (
            <SlotFields
              key={i}
              index={i}
              slot={slot}
              config={slotConfigs[i]}
              errors={errors}
              onChange={(next) => setDraft((d) => ({ ...d, slots: d.slots.map((s, j) => (j === i ? next : s)) }))}
              onRemove={draft.slots.length > 1 ? () => setDraft((d) => ({ ...d, slots: d.slots.filter((_, j) => j !== i) })) : null}
            />
          ))}
          <div className="row" style={{ paddingLeft: 'calc(var(--label-width) + 10px)' }}>
            <Button size="small" onClick={() => setDraft((d) => ({ ...d, slots: [...d.slots, emptySlot()] }))} data-testid="slot-add">
              Add a slot
            </Button>
          </div>
          <GpuFields gpus={draft.gpus} slots={draft.slots} found={gpus} errors={errors} onChange={(changes) => setDraft((d) => patch(d, 'gpus', changes))} onSlots={(slots) => setDraft((d) => ({ ...d, slots }))} />
        </Section>

        <Section id="agent" title="Agent" description="Who proposes the changes. The agent only edits files; the studio commits, runs and judges." errorCount={sectionErrors(['agent'])}>
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
        </Section>
      </div>
    </div>
  );
}
