// Lint: typescript-eslint's type-checked rules, floating promises as errors, and the layers of
// README's Architecture section enforced by no-restricted-imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const io = ['vscode', 'execa', 'chokidar', '@kubernetes/client-node', 'node:child_process', 'child_process', 'node:fs', 'fs', 'node:fs/promises', 'fs/promises', 'node:net', 'node:http', 'node:https', 'undici'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-vsix/**', 'node_modules/**', '.test-artifacts/**', 'test/cluster/go/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: io.map((name) => ({ name, message: 'src/core is plain TypeScript: no vscode and no I/O (README, Architecture).' })) }] },
  },
  {
    files: ['src/adapters/**/*.ts', 'src/cli.ts', 'src/cli/**/*.ts', 'src/mcp/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/vscode (and src/extension.ts) may import vscode.' }] }] },
  },
  {
    // Test callbacks are async by convention (node:test, eventually()) even when they need no await.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked, languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly', console: 'readonly' } } },
);
