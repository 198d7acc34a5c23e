import { EmptyState } from '../components/EmptyState.js';

export function ProgramView() {
  return <EmptyState title="program.md">The program.md editor is being built.</EmptyState>;
}
