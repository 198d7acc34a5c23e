// Setup's Seed section (issue #22): what the project's files say about how its random seed is set, so the
// user can confirm the detected setting instead of typing one. Read-only; the choice is saved with the config.
import { detectProjectSeed } from '../../project/detect-seed.js';
import type { Handlers, StudioContext } from '../context.js';

export function seedHandlers({ session }: StudioContext): Handlers<'detectSeed'> {
  return {
    detectSeed: async ({ editable, context, command }) => {
      const p = session.require();
      // The form's unsaved files when it sends them, else what is saved (or suggested for a new project).
      const files = p.config?.files ?? p.suggestedConfig.files;
      return detectProjectSeed(p.dir, {
        editable: editable ?? files?.editable ?? [],
        context: context ?? files?.context ?? [],
        command: command ?? p.config?.run.command ?? p.suggestedConfig.run?.command ?? null,
      });
    },
  };
}
