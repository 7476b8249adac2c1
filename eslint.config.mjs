import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { configs as litConfigs } from 'eslint-plugin-lit';
import { configs as wcConfigs } from 'eslint-plugin-wc';
import litA11y from 'eslint-plugin-lit-a11y';
import noOnlyTests from 'eslint-plugin-no-only-tests';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/custom-elements.json', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { 'no-only-tests': noOnlyTests },
    rules: {
      'no-only-tests/no-only-tests': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/presence-element/**/*.ts', 'examples/**/public/**/*.js', 'bench/element-page.js'],
    languageOptions: { globals: { ...globals.browser } },
    ...litConfigs['flat/recommended'],
  },
  {
    files: ['packages/presence-element/**/*.ts'],
    ...wcConfigs['flat/recommended'],
  },
  {
    files: ['packages/presence-element/**/*.ts'],
    plugins: { 'lit-a11y': litA11y },
    rules: { ...litA11y.configs.recommended.rules },
  },
);
