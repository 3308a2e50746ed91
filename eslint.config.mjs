// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
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
    // the dashboard's browser modules (served as they are, no build step)
    files: ['libs/api/src/dashboard/assets/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, uPlot: 'readonly' } },
  },
  {
    // The gateway's runtime never loads what only the trainer uses (training, evaluation, NAB scoring).
    files: ['apps/gateway/**/*.ts', 'apps/simulator/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/detection-lab/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@iag/detection-lab', message: 'Only the trainer (and tests) use libs/detection-lab.' }] },
      ],
    },
  },
  {
    files: ['libs/config/**/*.ts', 'test/**/*.ts', 'scripts/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
