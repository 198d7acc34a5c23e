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
    // Trainers and command agents get an allowlisted environment (src/core/agent/secrets-env.ts). The test
    // trainers' own knobs are handed on the way a user hands on theirs: AUTORESEARCH_PASS_ENV, the app's list.
    env: {
      AUTORESEARCH_PASS_ENV: [
        'CAMPAIGN_TRAINER_MS', 'CLOSE_STDIO', 'CRASH_MESSAGE', 'CRASH_STREAK', 'DRIP_MS', 'ESCAPE_SLEEP', 'EXIT_CODE', 'EVIL', 'FREE_FILE',
        'FAKE_AGENT_MODE', 'FAKE_AGENT_PIDS', 'FAKE_AGENT_RECORD', 'FAKE_BIN', 'FLOOD_MB', 'FLOOD_STYLE', 'FOO', 'GONE', 'HANG',
        'HOLD_DIR', 'HOLD_IDS', 'IDEAS', 'JOURNAL_FILE', 'KILLS', 'KILL_CAMPAIGN_KILLS', 'KILL_CAMPAIGN_SEED', 'LOCK_MODULE',
        'METRIC_LINE', 'NOISE_FILE', 'PEAK_VRAM_MB', 'PIDS_DIR', 'PIDS_FILE', 'PRINT_ENV', 'RELEASE_FILE', 'RUN_COUNTER', 'SEED',
        'SLEEP', 'SLEEP_MS', 'STEPS', 'TERM_LOG', 'TEXT', 'TRAINER_SLEEP', 'TRAIN_SEED', 'VAL_BPB', 'VAL_BPB_FILE', 'GIT_CONFIG_GLOBAL',
      ].join(','),
    },
  },
});
