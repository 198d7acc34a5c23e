// Placeholder with the agreed export; the live/history engineer (issue 5) replaces this file.
import type { JSX } from 'react';
import { EmptyState } from '../components/EmptyState.js';

export function DashboardView(): JSX.Element {
  return <EmptyState title="Live run">The live dashboard (charts, slots, logs) appears here.</EmptyState>;
}
