// program.md: the human's instructions to the agent (autoresearch convention). Created when absent.
import type { ProjectConfig } from '../../shared/config.js';

export function programTemplate(config: Pick<ProjectConfig, 'files' | 'metric' | 'budget'>): string {
  const better = config.metric.direction === 'min' ? 'lower' : 'higher';
  return `# program.md

You are running experiments to improve **${config.metric.name}** (${better} is better).

## What you may change
- Edit only: ${config.files.editable.map((f) => `\`${f}\``).join(', ')}.
${config.files.protected.length ? `- Never touch: ${config.files.protected.map((f) => `\`${f}\``).join(', ')} (the app verifies them before every run).\n` : ''}- Each experiment gets a fixed budget of ${config.budget.seconds} seconds (AUTORESEARCH_TIME_BUDGET).

## How to work
- One idea per experiment, small and clear. Say in the first line what you changed.
- Read the history: do not repeat what was already tried and discarded.
- Simplicity criterion: all else equal, simpler wins. A tiny gain that adds ugly code is not worth it;
  the same result from deleting code is a win.

## Ideas worth trying
- (Write your own hints for the agent here.)
`;
}
