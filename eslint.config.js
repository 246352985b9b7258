import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

/** One lint config for the repo; its zones enforce ARCHITECTURE.md's layering. */
export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/lib/**', '**/dist/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // JupyterLab's convention: module internals live in a non-exported `Private` namespace.
      '@typescript-eslint/no-namespace': 'off',
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './packages/core', from: './packages/cli', message: 'core never depends on a front end' },
            { target: './packages/core', from: './jupyter-extension', message: 'core never depends on a front end' },
            { target: './packages/core', from: './vscode-extension', message: 'core never depends on a front end' },
            {
              target: './jupyter-extension',
              from: './vscode-extension',
              message: 'editors do not share glue: move it to core',
            },
            {
              target: './vscode-extension',
              from: './jupyter-extension',
              message: 'editors do not share glue: move it to core',
            },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['vscode', '@jupyterlab/*', '@lumino/*'],
              message: 'editor APIs belong in the editor folders only',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['jupyter-extension/**', 'vscode-extension/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@kubernetes/client-node',
              message: 'editors never talk to Kubernetes: go through the core engine',
            },
            { name: 'child_process', message: 'editors never spawn Python: go through the core engine' },
            { name: 'node:child_process', message: 'editors never spawn Python: go through the core engine' },
          ],
        },
      ],
    },
  },
);
