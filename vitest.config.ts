import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real git repositories and real child processes: give them room, and keep the 2-core CI machine calm.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // Test trainers talk to their tests through files in /tmp and report their pids, which a sandboxed
    // trainer cannot (it gets a private /tmp and PID namespace). So the sandbox is off for the suite, and
    // the tests of the sandbox itself (sandbox.test.ts, the demo run in cli-run) turn it on explicitly.
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
