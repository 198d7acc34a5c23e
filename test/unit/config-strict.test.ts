// Config strictness: a misspelt key is refused by name with the nearest known key, never silently ignored.
import { describe, expect, it } from 'vitest';
import { parseConfig, unknownConfigKeys } from '../../src/shared/config.js';

const valid = {
  run: { command: 'python3 train.py' },
  files: { editable: ['train.py'] },
  metric: { name: 'val_bpb', direction: 'min' },
  budget: { seconds: 10 },
};

describe('unknown config keys', () => {
  it('refuses a misspelt key with "did you mean", at any depth', () => {
    const r = parseConfig({ ...valid, run: { command: 'x', comand: 'y' }, budget: { seconds: 1, secs: 3 } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e.message]));
    expect(byPath['run.comand']).toMatch(/Unknown setting "run\.comand" — did you mean "run\.command"\?/);
    expect(byPath['budget.secs']).toMatch(/did you mean "budget\.seconds"\?/);
  });

  it('looks inside arrays, records and the chosen kind of metric extraction', () => {
    const errors = unknownConfigKeys({
      ...valid,
      metric: { name: 'm', direction: 'min', extract: { kind: 'regex', pattern: 'a(1)', patern: 'x' } },
      slots: [{ env: { ANY_NAME: 'fine' } }, { evn: {} }],
      agent: { prices: { 'some-model': { input: 1, output: 1, cacheWrite: 1, cacheRead: 1, cachRead: 2 } } },
      acceptance: { minImprovment: 0.1 },
      wholly: 1,
    }).map((e) => e.path);
    expect(errors.sort()).toEqual(['acceptance.minImprovment', 'agent.prices.some-model.cachRead', 'metric.extract.patern', 'slots.1.evn', 'wholly'].sort());
  });

  it('accepts every key the schema writes itself (a saved config parses again)', () => {
    const first = parseConfig(valid);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(unknownConfigKeys(JSON.parse(JSON.stringify(first.config)))).toEqual([]);
    expect(parseConfig(JSON.parse(JSON.stringify(first.config))).ok).toBe(true);
  });

  it('suggests nothing for a key that is not close to any', () => {
    const [e] = unknownConfigKeys({ ...valid, budget: { seconds: 1, colour: 'red' } });
    expect(e!.message).not.toMatch(/did you mean/);
    expect(e!.message).toMatch(/Known in budget: seconds, timeoutSeconds, graceSeconds/);
  });
});
