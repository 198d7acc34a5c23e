// One slot of the setup form: its environment, where its experiments run (this machine, Slurm, an SSH host)
// with that executor's fields, and a "Test" that runs a harmless command there through the executor
// (nvidia-smi -L, or sinfo for Slurm) with the settings as typed, and shows the answer.
import { useState } from 'react';
import { ApiError, type SlotTestResult } from '../../shared/api.js';
import type { FieldError, SlotConfig } from '../../shared/config.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';
import { errorsAt, type ExecutorKind, type SlotDraft } from './draft.js';
import { NumberField, SelectField, TextAreaField, TextField } from './fields.js';

const KINDS: readonly { readonly value: ExecutorKind; readonly label: string }[] = [
  { value: 'local', label: 'This machine' },
  { value: 'slurm', label: 'Slurm (a batch job per experiment)' },
  { value: 'ssh', label: 'SSH host' },
];

export function SlotFields(props: {
  readonly index: number;
  readonly slot: SlotDraft;
  /** The slot as the config would hold it (what Test sends). */
  readonly config: unknown;
  readonly errors: readonly FieldError[];
  readonly onChange: (slot: SlotDraft) => void;
  readonly onRemove: (() => void) | null;
}) {
  const api = useApi();
  const { index: i, slot, errors } = props;
  const base = `slots.${i}`;
  const [result, setResult] = useState<SlotTestResult | null>(null);
  const [busy, setBusy] = useState(false);
  const slurm = (changes: Partial<SlotDraft['slurm']>) => props.onChange({ ...slot, slurm: { ...slot.slurm, ...changes } });
  const ssh = (changes: Partial<SlotDraft['ssh']>) => props.onChange({ ...slot, ssh: { ...slot.ssh, ...changes } });
  const own = errorsAt(errors, base);

  async function test(): Promise<void> {
    setBusy(true);
    setResult(null);
    try {
      setResult(await api.testSlot({ slot: props.config as SlotConfig }));
    } catch (err) {
      const e = err as Error;
      const fields = e instanceof ApiError && e.code === 'invalid-args' ? e.fieldErrors : [];
      setResult({ ok: false, command: '', output: fields.length ? `Fix the slot's settings first: ${fields.map((f) => f.message).join('; ')}` : e.message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="slot-box" data-testid={`slot-${i}`}>
      <div className="slot-box-head">
        <strong>Slot {i}</strong>
        <span className="grow" />
        {busy ? <Spinner label="Testing" /> : null}
        <Button size="small" onClick={() => void test()} disabledReason={busy ? 'Testing…' : own.length ? 'Fix the slot\'s settings first' : null} data-testid={`slot-test-${i}`}>
          Test
        </Button>
        <Button size="small" variant="ghost" onClick={() => props.onRemove?.()} disabledReason={props.onRemove ? null : 'At least one slot is needed'} aria-label={`Remove slot ${i}`}>
          Remove
        </Button>
      </div>
      <SelectField path={`${base}.executor.kind`} label="Runs on" value={slot.kind} onChange={(kind) => props.onChange({ ...slot, kind })} errors={errors} options={KINDS} />
      {slot.kind === 'slurm' ? (
        <>
          <p className="field-note muted" data-testid={`slot-slurm-note-${i}`}>
            Each experiment is submitted with <code>sbatch</code> from this machine, so Slurm's tools must work here. The project folder must be on
            storage the cluster's nodes share (the same path on every node): jobs run in the slot's worktree under .autoresearch/worktrees and write
            their output next to the run's journal. Time waiting in the queue is not charged to the budget.
          </p>
          <TextField path={`${base}.executor.partition`} label="Partition" mono value={slot.slurm.partition} onChange={(v) => slurm({ partition: v })} errors={errors} placeholder="the cluster's default" />
          <TextField path={`${base}.executor.account`} label="Account" mono value={slot.slurm.account} onChange={(v) => slurm({ account: v })} errors={errors} placeholder="your default account" />
          <TextField path={`${base}.executor.qos`} label="QOS" mono value={slot.slurm.qos} onChange={(v) => slurm({ qos: v })} errors={errors} placeholder="the default QOS" />
          <TextField path={`${base}.executor.constraint`} label="Constraint" mono value={slot.slurm.constraint} onChange={(v) => slurm({ constraint: v })} errors={errors} placeholder="none, e.g. a100" />
          <NumberField path={`${base}.executor.gpus`} label="GPUs per job" value={slot.slurm.gpus} onChange={(v) => slurm({ gpus: v })} errors={errors} placeholder="0" hint="Asked for with --gres=gpu:N; 0 asks for none." />
          <TextAreaField path={`${base}.executor.extraArgs`} label="Extra sbatch options" value={slot.slurm.extraArgs} onChange={(v) => slurm({ extraArgs: v })} errors={errors} placeholder="--mem=32G, one per line" rows={2} />
        </>
      ) : null}
      {slot.kind === 'ssh' ? (
        <>
          <p className="field-note muted">
            The host is reached with your own ssh (keys from ssh-agent or ~/.ssh/config; the app stores none). Candidate commits are pushed to a
            repository in the remote folder.
          </p>
          <TextField path={`${base}.executor.host`} label="Host" mono value={slot.ssh.host} onChange={(v) => ssh({ host: v })} errors={errors} placeholder="me@gpu-box" />
          <NumberField path={`${base}.executor.port`} label="Port" value={slot.ssh.port} onChange={(v) => ssh({ port: v })} errors={errors} placeholder="22" />
          <TextField path={`${base}.executor.remoteDir`} label="Remote folder" mono value={slot.ssh.remoteDir} onChange={(v) => ssh({ remoteDir: v })} errors={errors} placeholder="/home/me/autoresearch" />
          <TextAreaField path={`${base}.executor.linked`} label="Linked inputs" value={slot.ssh.linked} onChange={(v) => ssh({ linked: v })} errors={errors} placeholder="data=/scratch/me/data, one per line" rows={2} />
          <TextAreaField path={`${base}.executor.options`} label="ssh options" value={slot.ssh.options} onChange={(v) => ssh({ options: v })} errors={errors} placeholder="StrictHostKeyChecking=accept-new, one per line" rows={2} />
        </>
      ) : null}
      <TextAreaField path={`${base}.env`} label="Environment" value={slot.env} onChange={(env) => props.onChange({ ...slot, env })} errors={errors} placeholder="CUDA_VISIBLE_DEVICES=0" rows={1} />
      {result ? (
        <div className="slot-test-result" data-testid={`slot-test-result-${i}`} data-ok={result.ok}>
          {result.command ? <div className="faint mono">$ {result.command}</div> : null}
          <pre className={result.ok ? 'mono' : 'mono field-error'}>{result.output}</pre>
        </div>
      ) : null}
    </div>
  );
}
