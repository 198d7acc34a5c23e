import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real git repositories and real child processes: give them room, and keep the 2-core CI machine calm.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // No switch for the sandbox: trainers run under bubblewrap wherever it works (CI installs it), as a user's
    // run would. Tests make their folders outside /tmp (test/helpers/project.ts: a sandboxed trainer has a
    // private /tmp); the few tests that must run a trainer unsandboxed switch the sandbox off in their own env
    // and say why.
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
