/** The cluster loop tests: one worker (they share one test cluster and two cores), run by scripts/e2e-cluster.mjs. */
const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }];

export default {
  rootDir: '../..',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 600_000,
};
