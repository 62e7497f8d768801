// Flat config. The one architectural rule that matters most: the core, the protocol and the
// webview never import `vscode`, so the same engine runs in the CLI and in plain unit tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noVscode = (message) => ({
  'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.cache/**',
      'test/fixtures/**',
      'bench/mapping/programs/**',
      'test-results/**',
      'demo/workspace-copy/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: noVscode(
      'src/core is vscode-free: pass plain data and AbortSignals in from src/extension.',
    ),
  },
  { files: ['src/cli/**/*.ts'], rules: noVscode('The CLI runs without VS Code.') },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The preload runs inside the user’s service.' }],
          patterns: [
            {
              group: ['../core/*', '../../core/*', '../extension/*', '../../extension/*'],
              message:
                'The preload runs inside the user’s service: it depends on nothing but Node.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: noVscode('The protocol is shared with the webview and must stay vscode-free.'),
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: noVscode('The webview runs in a browser sandbox.'),
  },
  {
    files: ['demo/**/*.{js,mjs,cjs}', 'scripts/**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  // The demo runs as plain CommonJS so the files open in the editor are the files that run.
  {
    files: ['demo/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
