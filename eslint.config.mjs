// ESLint flat config (`npm run lint`): typescript-eslint's type-checked rules on src/ and test/ (the program of
// tsconfig.json), plain rules on the CommonJS scripts, jest's rules on the tests, and eslint-config-prettier last so
// that no rule argues with the formatter. Every eslint-disable comment names an existing rule and says why.
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import jest from 'eslint-plugin-jest';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'test/fixtures/', '.tmp-*/', '.bench-out/', 'deploy/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  comments.recommended,
  { rules: { '@eslint-community/eslint-comments/require-description': 'error' } },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `const { data: _data, ...rest } = r` drops a key on purpose; `_name` marks an unused binding kept for its place.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // Passing on a caught error as it came (reject(err) in a callback) is not inventing a non-Error reason.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // The default instance's functions are destructured from createPsutil()'s object: closures over their context
    // (src/probes/psutil.ts), none of them reads `this`.
    files: ['src/index.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // jest's rules that hold for this suite as written. Not on (yet): no-conditional-expect (52 places),
    // no-standalone-expect (32: expectations in helpers), no-export (26: shared test modules), valid-title and
    // valid-describe-callback (the describeOracle/describePeer/describeWithBinary wrappers).
    files: ['test/**/*.ts'],
    plugins: { jest },
    languageOptions: { globals: jest.environments.globals.globals },
    rules: {
      'jest/no-focused-tests': 'error',
      'jest/no-identical-title': 'error',
      'jest/valid-expect': 'error',
      'jest/no-jasmine-globals': 'error',
      'jest/no-test-prefixes': 'error',
      // A skip is conditional, in a wrapper that says why; the wrapper's skip carries a disable with that reason.
      'jest/no-disabled-tests': 'error',
      // Off until the suite's assertion helpers (timesSame, statsSame, ... in the oracle tests) are listed in
      // assertFunctionNames: with only expect, 12 tests that assert through them are reported.
      'jest/expect-expect': 'off',
      // Expectations spell kernel values (u64/i64 maxima) as the files write them; the parser returns the double they
      // round to, which is what the literal means in JavaScript too.
      'no-loss-of-precision': 'off',
      // jest's own version knows that expect(obj.method) does not call it.
      '@typescript-eslint/unbound-method': 'off',
      'jest/unbound-method': 'error',
      // Asymmetric matchers (expect.any, expect.objectContaining, ...) are typed `any` by @types/jest, and JSON read
      // back from the agent is what the expectations themselves check.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes of async interfaces (an exporter's close(), a collector's run()) need not await anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Type-level tests: their bindings exist for `typeof`, their unions spell out the type they expect.
    files: ['test/**/*.types.test.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  prettier,
);
