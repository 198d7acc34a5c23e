// Placeholder with the agreed export; the live/history engineer (issue 5) replaces this file.
import type { JSX } from 'react';
import { EmptyState } from '../components/EmptyState.js';

export function HistoryView(_props: { tag?: string }): JSX.Element {
  return <EmptyState title="History">Past runs and their experiments appear here.</EmptyState>;
}
