import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

/** `util.parseArgs` in strict mode, with its errors turned into one-line usage errors naming the command. */
type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

export function parseCommandArgs<const O extends Options>(command: string, args: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(
      `cellpipe ${command}: ${(error as Error).message.split('\n')[0]} (see 'cellpipe ${command} --help')`,
    );
  }
}

/** The single notebook path a command takes. */
export function notebookArgument(command: string, positionals: string[]): string {
  if (positionals.length === 0)
    throw new UsageError(`cellpipe ${command}: missing the notebook path (see 'cellpipe ${command} --help')`);
  if (positionals.length > 1)
    throw new UsageError(
      `cellpipe ${command}: expected one notebook, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  return positionals[0] as string;
}

/** The notebook file's text; an unreadable path is a one-line usage error naming it. */
export function readNotebookText(path: string, cwd: string): string {
  try {
    return readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read notebook ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
