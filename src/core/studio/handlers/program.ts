// program.md, the researcher's instructions to the agent.
import { projectPaths } from '../../project/paths.js';
import { ProgramFileError, readProgramFile, writeProgramFile } from '../../project/program-file.js';
import type { Handlers, StudioContext } from '../context.js';
import { fail } from '../errors.js';

export function programHandlers({ session }: StudioContext): Handlers<'readProgram' | 'saveProgram'> {
  return {
    readProgram: async () => {
      const p = session.require();
      const text = await readProgramFile(projectPaths(p.dir).program).catch((err: unknown) => {
        if (err instanceof ProgramFileError) throw fail(err.message, 'conflict');
        return null;
      });
      const editable = p.config?.files.editable ?? [];
      return { text: text ?? '', exists: text !== null, editable };
    },
    saveProgram: async ({ text }) => {
      const p = session.require();
      await writeProgramFile(projectPaths(p.dir).program, text).catch((err: unknown) => {
        throw err instanceof ProgramFileError ? fail(err.message, 'conflict') : err;
      });
      await session.refresh();
      return null;
    },
  };
}
