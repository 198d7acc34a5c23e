// How the project sets its random seed (issue #22): the noise that decides whether a change helped is the spread
// across seeds, so the harness must be able to run the same code under another seed. One of three ways, or
// "none" when the user says the project has no seed to vary. Absent (null) means not decided yet: the app then
// shows what it detected and asks.
import { z } from 'zod';

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const SeedSchema = z.discriminatedUnion('kind', [
  /** The script reads the seed from this environment variable; the harness sets it for each run. */
  z.object({ kind: z.literal('env'), name: z.string().trim().regex(VAR_NAME, 'An environment variable name, e.g. SEED') }),
  /** The script parses this flag; the harness appends `<flag> N` to the run command. */
  z.object({ kind: z.literal('arg'), flag: z.string().trim().regex(/^--?[A-Za-z][\w-]*$/, 'A command-line flag, e.g. --seed') }),
  /** A constant in an editable file (`SEED = 42`); the harness sets it in the worktree for each run. */
  z.object({
    kind: z.literal('constant'),
    file: z.string().trim().min(1, 'The file that holds the constant, e.g. train.py'),
    name: z.string().trim().regex(VAR_NAME, 'The constant\'s name, e.g. SEED'),
  }),
  /** The user says the seed cannot be varied: the noise between identical reruns is all the app can measure. */
  z.object({ kind: z.literal('none') }),
]);
export type SeedConfig = z.infer<typeof SeedSchema>;
