import { describe, expect, it } from 'vitest';
import { seedOnlyChange, stripComment } from '../../src/core/agent/seed-only.js';

/** A `git diff -U0` of one file from a list of removed and added lines. */
const diff = (removed: string[], added: string[], file = 'train.py') =>
  [`diff --git a/${file} b/${file}`, 'index 1111111..2222222 100644', `--- a/${file}`, `+++ b/${file}`, `@@ -10,${removed.length} +10,${added.length} @@`, ...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`)].join('\n');

describe('seedOnlyChange: a change that only touches the random seed', () => {
  it.each([
    ['torch.manual_seed(42)', 'torch.manual_seed(7)'],
    ['torch.cuda.manual_seed_all(42)', 'torch.cuda.manual_seed_all(1337)'],
    ['random.seed(0)', 'random.seed(1)'],
    ['np.random.seed(42)', 'np.random.seed(43)'],
    ['SEED = 42', 'SEED = 7'],
    ['RANDOM_SEED: int = 42', 'RANDOM_SEED: int = 3'],
    ['const SEED = 42;', 'const SEED = 9;'],
    ["parser.add_argument('--seed', type=int, default=42)", "parser.add_argument('--seed', type=int, default=1234)"],
    ['seed = int(os.environ.get("SEED", "42"))', 'seed = int(os.environ.get("SEED", "5"))'],
    ['key = jax.random.PRNGKey(0)', 'key = jax.random.PRNGKey(3)'],
    ['rng = np.random.default_rng(42)', 'rng = np.random.default_rng(8)'],
    ['clf = Forest(n=100, random_state=0)', 'clf = Forest(n=100, random_state=1)'],
  ])('%s → %s is seed-only', (before, after) => {
    expect(seedOnlyChange(diff([before], [after]))).toBe(`train.py: ${before} → ${after}`);
  });

  it('counts a seed statement added or removed whole, and a seed set from elsewhere', () => {
    expect(seedOnlyChange(diff([], ['torch.manual_seed(123)']))).toBe('train.py: added torch.manual_seed(123)');
    expect(seedOnlyChange(diff(['torch.manual_seed(42)'], []))).toBe('train.py: removed torch.manual_seed(42)');
    expect(seedOnlyChange(diff(['torch.manual_seed(42)'], ['torch.manual_seed(args.seed)']))).not.toBeNull();
  });

  it('ignores comments and blank lines on either side, so a note beside a new seed does not make it a change', () => {
    expect(seedOnlyChange(diff(['SEED = 42  # the usual'], ['SEED = 7  # a luckier one', '', '# try another seed']))).toBe('train.py: SEED = 42 → SEED = 7');
    expect(seedOnlyChange(diff(['SEED = 42  # the usual'], ['SEED = 7  # a luckier one']))).toBe('train.py: SEED = 42 → SEED = 7');
    expect(stripComment("x = '# not a comment'  # a comment")).toBe("x = '# not a comment'");
    expect(stripComment('const url = "http://x"; // why')).toBe('const url = "http://x";');
  });

  it('is not seed-only when anything else changes', () => {
    // A hyperparameter beside the seed on the same line, or on another line.
    expect(seedOnlyChange(diff(['lr = 0.01; seed = 3'], ['lr = 0.02; seed = 3']))).toBeNull();
    expect(seedOnlyChange(diff(['lr = 0.01; seed = 3'], ['lr = 0.02; seed = 4']))).toBeNull();
    expect(seedOnlyChange(diff(['SEED = 42', 'LR = 0.01'], ['SEED = 7', 'LR = 0.02']))).toBeNull();
    expect(seedOnlyChange([diff(['SEED = 42'], ['SEED = 7']), diff(['LR = 0.01'], ['LR = 0.02'], 'model.py')].join('\n'))).toBeNull();
    // A number that is not a seed, a renamed call, a real code change.
    expect(seedOnlyChange(diff(['n_layer = 12'], ['n_layer = 16']))).toBeNull();
    expect(seedOnlyChange(diff(['x = torch.randn(4, 8)'], ['x = torch.randn(4, 16)']))).toBeNull();
    expect(seedOnlyChange(diff(['torch.manual_seed(42)'], ['torch.manual_seed(42)', 'model = Bigger()']))).toBeNull();
    // Only comments: not a seed change (the guard judges it as any other change).
    expect(seedOnlyChange(diff(['# old note'], ['# new note']))).toBeNull();
    expect(seedOnlyChange('')).toBeNull();
  });
});
