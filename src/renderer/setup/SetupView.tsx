import { EmptyState } from '../components/EmptyState.js';

export function SetupView() {
  return <EmptyState title="Setup">The project setup forms are being built.</EmptyState>;
}
