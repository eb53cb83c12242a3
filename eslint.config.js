// Lint: typescript-eslint with type information (each file checked against its package's tsconfig through
// the project service; tests through test/tsconfig.json, which is the package's tsconfig.test.json).
// `pnpm lint` runs it; `pnpm test` counts it as one check.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'e2e/**',
      'bench/**',
      'services/*/scripts/**',
      'scripts/**',
      'reports/**',
      'web/public/**',
      '**/*.cjs',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['test-support/*.ts'], defaultProject: 'tsconfig.base.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Turned off from the recommended set, each for a reason:
      // - require-await: a Fastify plugin is an async function whether or not it awaits (Fastify's own style).
      '@typescript-eslint/require-await': 'off',
      // - no-base-to-string: flags String(v) on the unknown cells mysql2 returns, which is the intended conversion.
      '@typescript-eslint/no-base-to-string': 'off',
      // - no-unsafe-argument, no-unsafe-assignment: mysql2's RowDataPacket is indexed by `any`, so every column read
      //   (`Number(r.id)`, `new Date(r.created_at)`) would need a cast that proves nothing. The other no-unsafe-* rules
      //   stay on for sources.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // Tests read JSON bodies (`res.json()` is `any`) and assert on them: the no-unsafe-* rules would ask for a
    // type on every response read, which the assertions already check.
    files: ['**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
);
