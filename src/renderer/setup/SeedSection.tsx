// Setup → Seed (issue #22): how the run varies the random seed. Most scripts fix their seed, so identical reruns
// agree to the digit and the noise looks like zero, while any change re-rolls the randomness; the spread that
// decides whether a change helped is the spread across seeds. This section shows what the project's files say
// (the Api's detectSeed, read in core), lets the user take it, type another, or say "none".
import { useEffect, useRef, useState } from 'react';
import { describeSeed, fixedSeedAdvice, type SeedDetection, type SeedFindingInfo } from '../../shared/api.js';
import type { SeedConfig } from '../../shared/config.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';
import { patch, seedFromDraft, seedToDraft, type SeedDraft } from './draft.js';
import { Section, SelectField, TextField } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

const KINDS: readonly { readonly value: SeedDraft['kind']; readonly label: string }[] = [
  { value: 'undecided', label: 'Not decided yet' },
  { value: 'env', label: 'An environment variable' },
  { value: 'arg', label: 'A command-line flag' },
  { value: 'constant', label: 'A constant in an editable file' },
  { value: 'none', label: 'None (the seed cannot be varied)' },
];

const same = (a: SeedDraft, b: SeedConfig) => JSON.stringify(seedFromDraft(a)) === JSON.stringify(b);

export function SeedSection({ draft, errors, setDraft }: SectionProps) {
  const api = useApi();
  const [detection, setDetection] = useState<SeedDetection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const seed = draft.seed;
  const set = (changes: Partial<SeedDraft>) => setDraft((d) => patch(d, 'seed', changes));
  const use = (s: SeedConfig) => setDraft((d) => ({ ...d, seed: seedToDraft(s) }));
  // Detected again when the files or the command the form names change (as typed, unsaved), a moment after typing stops.
  const scanKey = JSON.stringify([draft.files.editable, draft.files.context, draft.run.command]);
  useEffect(() => {
    const mine = ++seq.current;
    const t = setTimeout(() => {
      api
        .detectSeed({ editable: [...draft.files.editable], context: [...draft.files.context], command: draft.run.command })
        .then((d) => mine === seq.current && (setDetection(d), setError(null)))
        .catch((err: Error) => mine === seq.current && setError(err.message));
    }, 300);
    return () => clearTimeout(t);
  }, [scanKey]);

  const setting = seedFromDraft(seed) as SeedConfig | null;
  return (
    <Section id="seed" title="Seed" description="How each run gets a different random seed, so the app can measure the noise between seeds." errorCount={sectionErrorCount(errors, 'seed')}>
      <div className="field-note wide" data-testid="seed-detected">
        {error ? (
          <span className="field-error">Could not read the project's files: {error}</span>
        ) : detection === null ? (
          <Spinner label="Reading the project's files" />
        ) : detection.findings.length ? (
          detection.findings.map((f, i) => <Finding key={i} finding={f} inUse={same(seed, f.setting)} onUse={() => use(f.setting)} />)
        ) : detection.fixed ? (
          <span data-testid="seed-fixed">{fixedSeedAdvice(detection.fixed)}</span>
        ) : (
          <span className="muted" data-testid="seed-none-found">
            No seed setting found in {detection.scanned.length ? detection.scanned.join(', ') : 'the editable files'}. Enter one below if the script reads its seed another way.
          </span>
        )}
      </div>
      <SelectField path="seed.kind" label="The seed is set by" value={seed.kind} onChange={(kind) => set({ kind })} errors={errors} options={KINDS} />
      {seed.kind === 'env' ? <TextField path="seed.name" label="Variable" mono value={seed.name} onChange={(name) => set({ name })} errors={errors} placeholder="SEED" hint="The run sets it to a different number for each repeat." /> : null}
      {seed.kind === 'arg' ? <TextField path="seed.flag" label="Flag" mono value={seed.flag} onChange={(flag) => set({ flag })} errors={errors} placeholder="--seed" hint="The run appends it with a number to the command." /> : null}
      {seed.kind === 'constant' ? (
        <>
          <TextField path="seed.file" label="File" mono value={seed.file} onChange={(file) => set({ file })} errors={errors} placeholder="train.py" hint="An editable file; the run sets the constant in its copy." />
          <TextField path="seed.name" label="Constant" mono value={seed.name} onChange={(name) => set({ name })} errors={errors} placeholder="SEED" />
        </>
      ) : null}
      <p className="field-note wide" data-testid="seed-words">
        {seed.kind === 'undecided' ? (
          <span className="muted" data-testid="seed-undecided">
            Not decided yet. Most training scripts fix their seed, so rerunning the same code gives the same number and the noise looks like zero, yet any change re-rolls the
            randomness. With a seed setting, repeats run under different seeds and a change is kept only when it beats that spread.
          </span>
        ) : seed.kind === 'none' ? (
          <>The seed cannot be varied: the app can measure only the noise between identical reruns.</>
        ) : (
          <>The seed is set by {describeSeed(setting)}.</>
        )}
      </p>
    </Section>
  );
}

function Finding({ finding, inUse, onUse }: { readonly finding: SeedFindingInfo; readonly inUse: boolean; readonly onUse: () => void }) {
  return (
    <div className="seed-finding" data-testid="seed-finding">
      Found {describeSeed(finding.setting)} at <span className="mono">{finding.at}</span>: <code className="mono">{finding.line}</code>{' '}
      {inUse ? (
        <span className="badge" data-testid="seed-finding-in-use">in use</span>
      ) : (
        <Button size="small" onClick={onUse} data-testid="seed-use-detected">
          Use this
        </Button>
      )}
    </div>
  );
}
