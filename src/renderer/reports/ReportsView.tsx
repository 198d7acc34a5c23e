// Placeholder with the agreed export; the live/history engineer (issue 5) replaces this file.
import type { JSX } from 'react';
import { EmptyState } from '../components/EmptyState.js';

export function ReportsView(_props: { tag?: string }): JSX.Element {
  return <EmptyState title="Reports">Offline HTML and Markdown reports are exported here.</EmptyState>;
}
