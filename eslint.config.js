// Lint for the whole workspace, type-aware (each file with its package's tsconfig),
// run by `make test` before the tests. Formatting is Prettier's job (eslint-config-prettier
// turns off the rules that would fight it); `pnpm format` rewrites, `pnpm lint` checks both.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const APPS = ['gateway', 'agent-hub', 'command', 'telemetry', 'backup', 'tile-worker'];

/** Import boundaries: an app may import packages, never another app; a package never imports an app. */
const boundaries = (message, selfApp) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { regex: `^@fleetplane/(${APPS.filter((a) => a !== selfApp).join('|')})(/|$)`, message },
        { regex: `^(\\.\\./)+(apps/)?(${APPS.filter((a) => a !== selfApp).join('|')})/`, message },
        { regex: '^(\\.\\./)+apps/', message },
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/src/generated/**', '**/node_modules/**', '.tools/**', '.data/**', '.turbo/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Root TypeScript files outside every package's tsconfig (vitest.config.ts) get a default project.
        projectService: { allowDefaultProject: ['vitest.config.ts'], defaultProject: 'tsconfig.base.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `_`-prefixed parameters are deliberately unused (interface conformance).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Plain JavaScript (scripts, the CLI's bin, configs): syntax rules only, no type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    // Keep disableTypeChecked's parserOptions (projectService: false): a bare `languageOptions` here would
    // replace them, and these files are in no tsconfig. `globals` is not installed, hence the explicit list.
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
      },
    },
  },
  ...APPS.map((app) => ({ files: [`apps/${app}/**/*.ts`], rules: boundaries('an app imports packages, never another app', app) })),
  { files: ['packages/**/*.ts'], rules: boundaries('a package never imports an app') },
  prettier,
);
