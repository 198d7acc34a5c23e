// Project setup as forms: every field of the config, validated live (the same schema the engine uses),
// errors next to their fields, saved to .autoresearch/config.json. Each section of the form is its own
// component (RunSection, MetricSection, …); the form's state lives in useSetupForm.
import type { ProjectInfo } from '../../shared/api.js';
import { navigate } from '../app/router.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { MOD } from '../components/KeyboardShortcuts.js';
import { useStudio } from '../store/studio.js';
import { toDraft } from './draft.js';
import { AcceptanceSection } from './AcceptanceSection.js';
import { AgentSection } from './AgentSection.js';
import { ApprovalSection } from './ApprovalSection.js';
import { BudgetSection } from './BudgetSection.js';
import { FilesSection } from './FilesSection.js';
import { HeldoutSection } from './HeldoutSection.js';
import { HooksSection } from './HooksSection.js';
import { EarlyStopSection } from './EarlyStopSection.js';
import { SearchSection } from './SearchSection.js';
import { MetricSection } from './MetricSection.js';
import { RunSection } from './RunSection.js';
import { SeedSection } from './SeedSection.js';
import { SandboxSection } from './SandboxSection.js';
import { SetupBanners } from './SetupBanners.js';
import { SECTIONS, sectionErrorCount, unplacedErrors } from './setup-sections.js';
import { SlotsSection } from './SlotsSection.js';
import { StopSection } from './StopSection.js';
import { useSetupForm } from './use-setup-form.js';
import './setup.css';

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
  const live = useStudio((s) => s.live);
  const { draft, setDraft, conversion, errors, dirty, validating, saving, save } = useSetupForm(project);
  const runLive = live !== null && live.state !== 'stopped';
  const metricConfig = (conversion.config as { metric: unknown }).metric;
  const slotConfigs = (conversion.config as { slots: readonly unknown[] }).slots;
  const section = { draft, errors, setDraft };

  return (
    <div className="setup" data-testid="setup-view">
      <nav className="setup-toc" aria-label="Setup sections">
        {SECTIONS.map((s) => {
          const n = sectionErrorCount(errors, s.id);
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

        <SetupBanners project={project} runLive={runLive} unplaced={unplacedErrors(errors)} />

        <RunSection {...section} />
        <MetricSection {...section} metricConfig={metricConfig} />
        <FilesSection {...section} isGit={project.isGit} />
        <BudgetSection {...section} />
        <SeedSection {...section} />
        <AcceptanceSection {...section} />
        <HeldoutSection {...section} />
        <HooksSection {...section} />
        <EarlyStopSection {...section} />
        <SearchSection {...section} />
        <StopSection {...section} />
        <ApprovalSection {...section} />
        <SlotsSection {...section} slotConfigs={slotConfigs} />
        <AgentSection {...section} />
        <SandboxSection {...section} />
      </div>
    </div>
  );
}
