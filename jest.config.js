/** One jest run for every TypeScript package: unit tests sit beside their code, cross-package tests in test/. */
const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.tsx?$': tsJest },
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/cluster needs the test cluster running: `npm run e2e:cluster` runs it.
  testPathIgnorePatterns: ['/node_modules/', '/lib/', '/test/e2e/', '/test/cluster/'],
};
