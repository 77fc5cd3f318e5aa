import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', 'scripts/**/*.js', '.data/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Read time from the injected Clock (common/clock.ts), never the wall clock.',
        },
      ],
    },
  },
  {
    // The clock implementations and benchmarks are the only places that may read the wall clock.
    files: ['common/clock.ts', 'scripts/**', '**/*.test.ts', 'test/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
