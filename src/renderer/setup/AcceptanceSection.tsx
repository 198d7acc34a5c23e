// Setup → Acceptance: the rule that decides when a candidate is better than the best, with its cost in words.
import { describeAcceptanceCost, describeAcceptanceRule } from '../../shared/acceptance-text.js';
import { patch, type Draft } from './draft.js';
import { NumberField, Section, SelectField, TextField } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function AcceptanceSection({ draft, errors, setDraft }: SectionProps) {
  const acceptance = (changes: Partial<Draft['acceptance']>) => setDraft((d) => patch(d, 'acceptance', changes));
  return (
    <Section id="acceptance" title="Acceptance" description="When a candidate counts as better than the best so far." errorCount={sectionErrorCount(errors, 'acceptance')}>
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
  );
}
