// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/**
 * Which libs each lib may import (DESIGN.md: apps -> ingestion | api -> broker | storage | detection ->
 * contracts, config; adapters never import each other). Only the trainer (and tests) use detection-lab.
 */
const LIB_IMPORTS = {
  contracts: [],
  config: ['contracts'],
  broker: ['config', 'contracts'],
  storage: ['config', 'contracts'],
  detection: ['config', 'contracts'],
  'detection-lab': ['config', 'contracts', 'detection'],
  ingestion: ['config', 'contracts', 'broker', 'storage', 'detection'],
  api: ['config', 'contracts', 'broker', 'storage', 'detection'],
};
const APP_IMPORTS = {
  gateway: ['config', 'contracts', 'broker', 'storage', 'detection', 'ingestion', 'api'],
  simulator: ['config', 'contracts', 'broker', 'storage', 'detection', 'ingestion', 'api'],
  trainer: Object.keys(LIB_IMPORTS),
};
const LIBS = Object.keys(LIB_IMPORTS);

/** A path into another package's files: a lib's src/ past its index.ts, an app, or libs/ itself. */
const INTERNALS = {
  regex: `(^|/)((${LIBS.join('|')})/src|apps|libs)(/|$)`,
  message:
    "Import a lib by its alias (@iag/<lib>, its src/index.ts), never another package's files; libs never import apps.",
};

/** One no-restricted-imports rule per lib and app: the libs it may not import, and no reaching inside. */
function importBoundaries() {
  const rule = (allowed, self) => [
    'error',
    {
      paths: LIBS.filter((lib) => lib !== self && !allowed.includes(lib)).map((lib) => ({
        name: `@iag/${lib}`,
        message: `Dependencies point one way (DESIGN.md): this package may import ${allowed.map((a) => `@iag/${a}`).join(', ') || 'no lib'}.`,
      })),
      patterns: [INTERNALS],
    },
  ];
  const block = (dir, allowed, self) => ({
    files: [`${dir}/**/*.ts`],
    // Specs may reach the shared test helpers (test/support); the boundaries are the runtime's.
    ignores: [`${dir}/**/*.spec.ts`],
    rules: { 'no-restricted-imports': rule(allowed, self) },
  });
  return [
    ...Object.entries(LIB_IMPORTS).map(([lib, allowed]) => block(`libs/${lib}`, allowed, lib)),
    ...Object.entries(APP_IMPORTS).map(([app, allowed]) => block(`apps/${app}`, allowed)),
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings through @iag/config; only libs/config reads process.env.',
        },
      ],
    },
  },
  {
    // bench/: plain Node ESM (scenarios, their helpers and worker processes); type-checked by bench/tsconfig.json
    files: ['bench/**/*.mjs', 'bench/**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
    // the bench is not the gateway: it reads its own environment (and passes it to the gateway)
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['bench/**/*.spec.mjs'],
    languageOptions: { globals: { ...globals.jest } },
  },
  {
    // the dashboard's browser modules (served as they are, no build step)
    files: ['libs/api/src/dashboard/assets/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, uPlot: 'readonly' } },
  },
  ...importBoundaries(),
  {
    files: ['libs/config/**/*.ts', 'test/**/*.ts', 'scripts/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
