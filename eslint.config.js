// Lint = the architecture of DESIGN.md made executable: each layer may import only the layers below it,
// and `electron` may be imported at run time only in src/main and src/preload.
import tseslint from 'typescript-eslint';
import globals from 'globals';

const layer = (name) => [`**/${name}/**`, `**/${name}`, `../${name}/*`, `../../${name}/*`, `../../../${name}/*`];
const noRuntimeElectron = {
  name: 'electron',
  message: 'Only src/main and src/preload may import electron at run time (use `import type`).',
  allowTypeImports: true,
};
/** The folders of src/core from the lowest layer to the highest; a folder imports only lower layers. */
export const CORE_LAYERS = [['util'], ['stats', 'metric', 'logs'], ['git'], ['project'], ['exec'], ['gpu', 'journal'], ['agent'], ['report', 'notify'], ['loop'], ['finalize'], ['studio']];
const coreFolder = (name) => [`../${name}/*`, `../${name}`, `../../${name}/*`, `../../../${name}/*`, `../../core/${name}/*`];
const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'net', 'http', 'crypto'];
const restrict = (paths, groups) => ({
  'no-restricted-imports': ['error', { paths, patterns: groups.map((g) => ({ group: g.group, message: g.message })) }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'resources/demo/**', 'test-results/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports (DESIGN.md style).' }],
    },
  },
  {
    files: ['src/shared/**'],
    rules: restrict(
      [noRuntimeElectron, ...nodeBuiltins.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'src/shared runs in the renderer too: no Node modules.' }))],
      [
        { group: ['node:*'], message: 'src/shared runs in the renderer too: no Node modules.' },
        { group: [...layer('core'), ...layer('main'), ...layer('preload'), ...layer('renderer'), ...layer('cli')], message: 'src/shared imports nothing of the app.' },
      ],
    ),
  },
  {
    files: ['src/core/**'],
    rules: restrict(
      [noRuntimeElectron],
      [{ group: [...layer('main'), ...layer('preload'), ...layer('renderer'), ...layer('cli')], message: 'core imports only shared (DESIGN.md layers).' }],
    ),
  },
  // Layers inside core, lowest first: a folder may import the folders of lower layers only (one direction, no
  // circles). docs/ARCHITECTURE.md draws the same ladder.
  ...CORE_LAYERS.flatMap((folders, level) =>
    folders.map((folder) => ({
      files: [`src/core/${folder}/**`],
      rules: restrict(
        [noRuntimeElectron],
        [
          { group: [...layer('main'), ...layer('preload'), ...layer('renderer'), ...layer('cli')], message: 'core imports only shared (DESIGN.md layers).' },
          ...CORE_LAYERS.flatMap((others, l) => (l > level ? others : l === level ? others.filter((f) => f !== folder) : [])).map((f) => ({
            group: coreFolder(f),
            message: `core layers: core/${folder} may not import core/${f}, a higher layer or a sibling of its own (docs/ARCHITECTURE.md).`,
          })),
        ],
      ),
    })),
  ),
  {
    files: ['src/cli/**'],
    rules: restrict(
      [noRuntimeElectron],
      [{ group: [...layer('main'), ...layer('preload'), ...layer('renderer')], message: 'cli imports only core and shared.' }],
    ),
  },
  {
    files: ['src/main/**'],
    rules: restrict([], [{ group: [...layer('renderer'), ...layer('cli'), ...layer('preload')], message: 'main imports only core and shared.' }]),
  },
  {
    files: ['src/preload/**'],
    rules: restrict([], [{ group: [...layer('core'), ...layer('main'), ...layer('renderer'), ...layer('cli')], message: 'preload imports only shared.' }]),
  },
  {
    files: ['src/renderer/**'],
    rules: restrict(
      [{ name: 'electron', message: 'The renderer talks only to the Api (window.api or the WebSocket client).' }, ...nodeBuiltins.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'The renderer has no Node.' }))],
      [
        { group: ['node:*'], message: 'The renderer has no Node.' },
        { group: [...layer('core'), ...layer('main'), ...layer('preload'), ...layer('cli')], message: 'The renderer imports only shared.' },
      ],
    ),
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
