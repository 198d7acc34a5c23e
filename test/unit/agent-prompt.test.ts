// What the agent is told: the stable system prompt (rules + program.md) and the run state.
import { describe, expect, it } from 'vitest';
import { buildRunStatePrompt, buildSystemPrompt, formatMetric } from '../../src/core/agent/claude/prompt.js';
import type { ProposalContext } from '../../src/core/agent/proposer.js';
import { createWorkspace } from '../../src/core/agent/workspace.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { experiment, testConfig } from '../fixtures/fake-anthropic/proposal-context.js';

const config = testConfig({ acceptance: { rule: 'classic', minImprovementMode: 'relative', minImprovement: 0.001 } });

function ctx(fields: Partial<ProposalContext> = {}): ProposalContext {
  const baseline = experiment({ id: 0, metric: 0.9979, commit: 'c0ffee0'.padEnd(40, '0') });
  return {
    config,
    program: '# autoresearch\nNEVER STOP. Try wider MLPs.',
    workspace: createWorkspace('/tmp/none', '/tmp/none', { editable: ['train.py'], context: [], protected: [] }),
    slot: 0,
    experimentId: 12,
    base: baseline,
    baseline,
    best: baseline,
    noiseFloor: null,
    history: [baseline],
    bestDiff: '',
    lastCrashLogTail: null,
    steering: [],
    signal: new AbortController().signal,
    scratchDir: '/tmp/none',
    ...fields,
  };
}

describe('system prompt', () => {
  it('states the rules from the config and carries program.md', () => {
    const s = buildSystemPrompt(ctx());
    expect(s).toContain('You may edit only: `train.py`.');
    expect(s).toContain('You may read: `train.py`, `notes.md`');
    expect(s).toContain('Protected: `prepare.py`');
    expect(s).toContain('`python train.py`');
    expect(s).toContain('time budget of 5 s');
    expect(s).toContain('killed and counts as a failure'); // timeout = 2 × budget = 10 s
    expect(s).toContain('after 10 s');
    expect(s).toContain('The metric is `val_bpb`: lower is better');
    expect(s).toContain('a line `val_bpb: <number>`');
    expect(s).toContain('by more than 0.1%');
    expect(s).toContain('Simplicity criterion');
    expect(s).toContain('One idea per experiment');
    expect(s).toContain('NEVER STOP. Try wider MLPs.');
    expect(s).toContain('str_replace_based_edit_tool');
    expect(s).toContain('The first line is the experiment\'s one-line description');
  });

  it('depends only on the config and program.md, so the cache prefix holds across proposals', () => {
    const a = buildSystemPrompt(ctx({ experimentId: 1, steering: ['x'] }));
    const b = buildSystemPrompt(ctx({ experimentId: 99, noiseFloor: 0.01, bestDiff: 'diff' }));
    expect(a).toBe(b);
  });

  it('describes a higher-is-better metric, a guard command and METRIC lines', () => {
    const c = testConfig({
      metric: { name: 'throughput', direction: 'max', extract: { kind: 'metric-line' } },
      acceptance: { guardCommand: 'npm test' },
    });
    const s = buildSystemPrompt(ctx({ config: c }));
    expect(s).toContain('higher is better');
    expect(s).toContain('`METRIC throughput=<number>`');
    expect(s).toContain('`npm test` must also pass');
  });

  it('says what to do when program.md is empty', () => {
    expect(buildSystemPrompt(ctx({ program: '  \n' }))).toContain('program.md is empty');
  });

  it('tells an agent CLI to end with DESCRIPTION and HYPOTHESIS lines, and not to commit', () => {
    const s = buildSystemPrompt(ctx(), 'command');
    expect(s).toMatch(/DESCRIPTION: <.*>\nHYPOTHESIS: <.*>/);
    expect(s).toContain('do not commit');
    expect(s).not.toContain('str_replace_based_edit_tool');
  });
});

describe('run-state prompt', () => {
  const history: Experiment[] = [
    experiment({ id: 0, metric: 0.9979, status: 'keep' }),
    experiment({ id: 1, metric: 0.9932, bestBefore: 0.9979, status: 'keep', description: 'Lower LR to 0.03' }),
    experiment({ id: 2, metric: 0.9951, bestBefore: 0.9932, status: 'discard', description: 'Wider MLP | 4x' }),
    experiment({ id: 3, metric: null, bestBefore: 0.9932, status: 'crash', description: 'Switch to bf16 everywhere', error: 'RuntimeError: expected scalar type Float but found BFloat16' }),
    experiment({ id: 4, metric: null, bestBefore: 0.9932, status: 'rejected', description: 'Edit the evaluator', error: 'changed protected files' }),
  ];

  it('shows baseline, best, noise floor and the history table with failures and their reasons', () => {
    const p = buildRunStatePrompt(
      ctx({ history, best: history[1]!, baseline: history[0]!, base: history[1]!, noiseFloor: 0.0012, experimentId: 5 }),
    );
    expect(p).toContain('# Experiment 5');
    expect(p).toContain('Baseline val_bpb: 0.9979');
    expect(p).toContain('Best val_bpb so far: 0.9932, experiment 1: Lower LR to 0.03 (+0.47% vs baseline)');
    expect(p).toContain('Noise floor: 0.0012');
    expect(p).toContain('4 experiments after the baseline (1 keep, 1 discard, 1 crash, 1 rejected).');
    expect(p).toContain('| id | status | val_bpb | Δ | description |');
    expect(p).toContain('| 0 | baseline | 0.9979 | - | baseline |');
    expect(p).toContain('| 1 | keep | 0.9932 | +0.0047 | Lower LR to 0.03 |');
    expect(p).toContain('| 2 | discard | 0.9951 | -0.0019 | Wider MLP / 4x |'); // a pipe would break the table
    expect(p).toMatch(/\| 3 \| crash \| - \| - \| Switch to bf16 everywhere \[RuntimeError: expected scalar type Float.*\] \|/);
    expect(p).toContain('| 4 | rejected | - | - | Edit the evaluator [changed protected files] |');
  });

  it('shows only the last historyLimit experiments and says how many were left out', () => {
    const many = Array.from({ length: 80 }, (_, i) => experiment({ id: i, metric: 1 - i / 1000, bestBefore: i ? 1 : null }));
    const p = buildRunStatePrompt(ctx({ history: many }));
    expect(p).toContain('the last 50; 30 earlier ones left out');
    expect(p).not.toContain('| 29 |');
    expect(p).toContain('| 30 |');
    expect(p).toContain('| 79 |');
    const none = buildRunStatePrompt(ctx({ history: many, config: testConfig({ agent: { historyLimit: 0 } }) }));
    expect(none).not.toContain('| id |');
  });

  it('includes the best diff, the crash tail and the steering notes', () => {
    const p = buildRunStatePrompt(
      ctx({
        bestDiff: '--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-LR = 0.04\n+LR = 0.03\n',
        lastCrashLogTail: 'Traceback (most recent call last):\n  File "train.py"\nZeroDivisionError: division by zero\n',
        steering: ['Stop touching the LR', '  ', 'Try the attention window'],
      }),
    );
    expect(p).toContain('```diff\n--- a/train.py');
    expect(p).toContain('+LR = 0.03\n```');
    expect(p).toContain('Your previous experiment in this slot crashed');
    expect(p).toContain('ZeroDivisionError: division by zero');
    expect(p).toContain('- Stop touching the LR\n- Try the attention window');
  });

  it('says so when nothing was kept yet, and leaves out empty sections', () => {
    const p = buildRunStatePrompt(ctx());
    expect(p).toContain('None yet: the editable files are as in the baseline.');
    expect(p).not.toContain('crashed');
    expect(p).not.toContain('Steering');
    expect(p).toContain('Noise floor: not measured');
  });

  it('cuts a huge diff and a huge crash log', () => {
    const p = buildRunStatePrompt(ctx({ bestDiff: '+x\n'.repeat(50_000), lastCrashLogTail: 'y'.repeat(100_000) + 'THE END' }));
    expect(p.length).toBeLessThan(60_000);
    expect(p).toContain('diff cut at 30000 characters');
    expect(p).toContain('THE END');
  });
});

describe('formatMetric', () => {
  it.each([
    [0.9979, '0.9979'],
    [0.123456789, '0.123457'],
    [12345.678, '12345.678'],
    [1e-7, '1.0000e-7'],
    [null, '-'],
    [Number.NaN, '-'],
  ])('%s → %s', (v, s) => {
    expect(formatMetric(v)).toBe(s);
  });
});

describe('run-state prompt with pipelined proposals', () => {
  it('lists the experiments in flight and queued, so parallel proposals do not repeat them', () => {
    const p = buildRunStatePrompt(ctx({ inFlight: [{ id: 13, description: 'wider MLP (4x)', state: 'running' }, { id: 14, description: 'lower warmup', state: 'queued' }] }));
    expect(p).toContain('## Experiments in flight');
    expect(p).toContain('- 13 (running): wider MLP (4x)');
    expect(p).toContain('- 14 (queued): lower warmup');
    expect(buildRunStatePrompt(ctx())).not.toContain('in flight');
  });

  it('shows a proposal made again after a conflict what it conflicted with', () => {
    const p = buildRunStatePrompt(ctx({ conflict: { description: 'LR 0.04', withId: 11, files: ['train.py'] } }));
    expect(p).toMatch(/You proposed "LR 0\.04" on an older best\. Experiment 11 was kept meanwhile and changed train\.py/);
  });
});
