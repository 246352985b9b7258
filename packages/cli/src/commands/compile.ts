import type { Command } from '../command.js';

/** Placeholder until the compile command lands; its owner replaces this file. */
export const compileCommand: Command = {
  name: 'compile',
  summary: 'Compile a notebook pipeline (not available yet)',
  usage: 'Usage: cellpipe compile NOTEBOOK\n\nNot available yet.\n',
  async run(_args, io) {
    io.stderr.write('cellpipe compile: not available yet\n');
    return 2;
  },
};
