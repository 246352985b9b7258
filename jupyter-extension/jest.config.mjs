/** jest for the extension's frontend logic: the root ts-jest ESM setup, with @cellpipe/core from source. */
import base from '../jest.config.js';

export default {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/jupyter-extension/src'],
  moduleNameMapper: {
    '^@cellpipe/core$': '<rootDir>/packages/core/src/index.ts',
    ...base.moduleNameMapper,
  },
};
