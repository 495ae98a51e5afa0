/** Jest runs the TypeScript sources directly (ESM through ts-jest). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151001] } }],
  },
  testTimeout: 30000,
  // One worker per core, not jest's cores minus one: most suites wait on spawned CLIs, servers
  // and databases, so on the 2-core CI machine two workers halve the run (835 s -> 377 s).
  maxWorkers: '100%',
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
};
