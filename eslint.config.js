// ESLint flat config (decision 45). `npm run lint` runs it with --max-warnings 0, and `npm test`
// runs lint, so a warning fails the build the same way an error does.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tsdoc from 'eslint-plugin-tsdoc';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Build output, coverage and scratch folders are not ours to lint.
  { ignores: ['dist/', 'coverage/', '.tmp/', 'node_modules/'] },

  js.configs.recommended,
  tseslint.configs.strictTypeChecked,

  {
    languageOptions: {
      parserOptions: {
        // Type information comes from tsconfig.json (src, test, bench). Files outside it (the
        // root config files, scripts/*.mjs) fall back to the default project.
        projectService: {
          allowDefaultProject: ['*.js', '*.ts', 'scripts/*.mjs', 'bench/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { tsdoc },
    rules: {
      'tsdoc/syntax': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-self-compare': 'error',
      // Template literals with numbers are everywhere in messages and are always safe; objects and
      // `unknown` still must be turned into text on purpose.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      // `_`-prefixed names mark deliberately unused parameters and destructured rest siblings.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },

  // Tests: vitest's asymmetric matchers (expect.any, expect.stringMatching, expect.objectContaining …)
  // are typed `any` by vitest, so every `toEqual({ id: expect.any(String) })` is an "unsafe" any
  // assignment or argument. Those two rules are off in tests only; the rules that catch real misuse
  // of `any` (member access, call, return) stay on.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },

  // Plain JavaScript (build scripts, the benchmark, this file) has no types to check: the type-aware
  // rules would only report `any` everywhere. They keep ESLint's recommended rules and Node globals.
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
