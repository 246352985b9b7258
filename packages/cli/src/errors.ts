/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const INPUT_ERRORS: ReadonlySet<string> = new Set(['UsageError', 'NotebookInputError', 'RunInputError']);

/** Errors that are the caller's input, not a cellpipe failure; matched by name so copies of core agree. */
export function isInputError(error: unknown): error is Error {
  return error instanceof Error && INPUT_ERRORS.has(error.name);
}

/** The first line of an error message: cellpipe reports input errors on one line. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
