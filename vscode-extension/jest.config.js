/** The extension's unit tests: pure glue modules against the real @types/vscode shapes and the real core. */
const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/../tsconfig.jest.json' }];

export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@cellpipe/core/node$': '<rootDir>/../packages/core/src/node.ts',
    '^@cellpipe/core$': '<rootDir>/../packages/core/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.tsx?$': tsJest },
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
};
