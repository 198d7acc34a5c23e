// The setup form's sections in page order, and the config paths each one owns: the contents list and each
// section's header count their problems from this, and a problem no section owns is shown at the top.
import type { Dispatch, SetStateAction } from 'react';
import type { FieldError } from '../../shared/config.js';
import type { Draft } from './draft.js';

export const SECTIONS = [
  { id: 'run', title: 'Run', prefixes: ['run', 'logMaxBytes'] },
  { id: 'metric', title: 'Metric', prefixes: ['metric'] },
  { id: 'files', title: 'Files', prefixes: ['files'] },
  { id: 'budget', title: 'Budget', prefixes: ['budget'] },
  { id: 'seed', title: 'Seed', prefixes: ['seed'] },
  { id: 'acceptance', title: 'Acceptance', prefixes: ['acceptance'] },
  { id: 'heldout', title: 'Held-out check', prefixes: ['heldout'] },
  { id: 'hooks', title: 'Hooks', prefixes: ['hooks'] },
  { id: 'earlyStop', title: 'Early stopping', prefixes: ['earlyStop'] },
  { id: 'search', title: 'Search', prefixes: ['search'] },
  { id: 'stop', title: 'Stop conditions', prefixes: ['stop'] },
  { id: 'approval', title: 'Approval', prefixes: ['approval'] },
  { id: 'slots', title: 'Slots', prefixes: ['slots', 'gpus'] },
  { id: 'agent', title: 'Agent', prefixes: ['agent'] },
  { id: 'sandbox', title: 'Sandbox', prefixes: ['sandbox'] },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

const inSection = (path: string, prefixes: readonly string[]) => prefixes.some((p) => path === p || path.startsWith(`${p}.`));

/** How many of `errors` are about the fields of section `id`. */
export function sectionErrorCount(errors: readonly FieldError[], id: SectionId): number {
  const prefixes = SECTIONS.find((s) => s.id === id)!.prefixes;
  return errors.filter((e) => inSection(e.path, prefixes)).length;
}

/** The errors no section owns (a whole-config problem, a path the form has no field for). */
export function unplacedErrors(errors: readonly FieldError[]): FieldError[] {
  return errors.filter((e) => !SECTIONS.some((s) => inSection(e.path, s.prefixes)));
}

/** What every section of the form is given: the draft, the errors to show by field, and the way to change it. */
export interface SectionProps {
  readonly draft: Draft;
  readonly errors: readonly FieldError[];
  readonly setDraft: Dispatch<SetStateAction<Draft>>;
}
