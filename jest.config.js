/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // TS151002 is ts-jest's note that node16 modules want isolatedModules; full type-checking is what we want here.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testTimeout: 60000,
  // Builds dist/ once when src/ changed: the agent's tests spawn the built agent (test/global-setup.js).
  globalSetup: '<rootDir>/test/global-setup.js',
  // A 2-core machine: two workers keep the live tests honest without starving the processes they spawn.
  maxWorkers: 2,
};
