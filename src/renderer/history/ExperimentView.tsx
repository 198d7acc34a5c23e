// Placeholder with the agreed export; the live/history engineer (issue 5) replaces this file.
import type { JSX } from 'react';
import { EmptyState } from '../components/EmptyState.js';

export function ExperimentView(_props: { tag: string; id: number }): JSX.Element {
  return <EmptyState title="Experiment">One experiment's diff, log and transcript appear here.</EmptyState>;
}
