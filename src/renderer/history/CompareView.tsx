// Placeholder with the agreed export; the live/history engineer (issue 5) replaces this file.
import type { JSX } from 'react';
import { EmptyState } from '../components/EmptyState.js';

export function CompareView(_props: { tags: string[] }): JSX.Element {
  return <EmptyState title="Compare runs">Two runs side by side appear here.</EmptyState>;
}
