/** IPython syntax turned into plain Python, line for line, so that line numbers stay those of the cell. */
export interface PythonSource {
  /** Plain Python with the same number of lines as the cell. */
  code: string;
  /** True when a cell magic makes the whole body something other than Python (`%%bash`, `%%html`, …). */
  notPython: boolean;
  /** 1-based lines holding shell commands or magics (`!ls`, `%pip`), which static analysis cannot see into. */
  shellLines: number[];
  /** 1-based lines with `%run` or `%store -r`, which may bind any name. */
  dynamicLines: number[];
}

/** Rewrites `%magic`, `%%magic`, `!shell`, `x = !cmd` and `x?` into Python that binds and reads the same names. */
export function ipythonToPython(source: string): PythonSource {
  const lines = source.split('\n');
  const result: PythonSource = { code: '', notPython: false, shellLines: [], dynamicLines: [] };
  const first = lines[0]?.trim() ?? '';
  if (first.startsWith('%%')) {
    const [magic = '', ...args] = first.slice(2).trim().split(/\s+/);
    if (Private.PYTHON_CELL_MAGICS.has(magic)) {
      const capture = magic === 'capture' ? args.filter((arg) => !arg.startsWith('-')).pop() : undefined;
      lines[0] = capture && /^[A-Za-z_]\w*$/.test(capture) ? `${capture} = ...` : '';
    } else {
      result.notPython = true;
      result.shellLines.push(1);
      lines[0] = Private.readsOf(lines.slice(1).join('\n'));
      result.code = [lines[0], ...lines.slice(1).map(() => '')].join('\n');
      return result;
    }
  }
  let continued = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const wasContinued = continued;
    continued = line.endsWith('\\');
    if (wasContinued) continue;
    const rewritten = Private.rewriteLine(line, index + 1, result);
    if (rewritten !== undefined) lines[index] = rewritten;
  }
  result.code = lines.join('\n');
  return result;
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- JupyterLab convention (IOptions, Private)
namespace Private {
  /** Cell magics whose body is still Python run in the user namespace. */
  export const PYTHON_CELL_MAGICS: ReadonlySet<string> = new Set([
    'time',
    'timeit',
    'capture',
    'prun',
    'debug',
    'memit',
  ]);
  /** Line magics whose argument is a Python statement. */
  const PYTHON_LINE_MAGICS: ReadonlySet<string> = new Set(['time', 'timeit', 'prun', 'memit', 'debug']);

  /** Names interpolated into shell or magic text (`{name}`, `$name`) are reads, kept as a tuple expression. */
  export function readsOf(text: string): string {
    const names = new Set<string>();
    for (const match of text.matchAll(/\{([A-Za-z_][\w.]*)(?:[!:][^}]*)?\}|\$([A-Za-z_]\w*)/g)) {
      const name = (match[1] ?? match[2] ?? '').split('.')[0];
      if (name) names.add(name);
    }
    return names.size === 0 ? 'pass' : `(${[...names].join(', ')},)`;
  }

  /** `-n 3 -r2 -q stmt` → `stmt` (the `%timeit`/`%prun` options that take a value are `-n -r -p -l -s -T -D`). */
  function withoutOptions(argument: string): string {
    let rest = argument;
    for (;;) {
      const option = /^-([nrplsTD])(\s*\S+)?\s+|^-[a-zA-Z]+\s+/.exec(rest);
      if (!option) return rest;
      rest = rest.slice(option[0].length);
    }
  }

  export function rewriteLine(line: string, lineNumber: number, result: PythonSource): string | undefined {
    const indent = /^\s*/.exec(line)?.[0] ?? '';
    const body = line.slice(indent.length);
    const assigned = /^([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=\s*([!%])(.*)$/.exec(body);
    if (assigned) {
      result.shellLines.push(lineNumber);
      const reads = readsOf(assigned[3] ?? '');
      return `${indent}${assigned[1]} = ${reads === 'pass' ? '...' : reads}`;
    }
    if (body.startsWith('!')) {
      result.shellLines.push(lineNumber);
      return indent + readsOf(body.slice(1));
    }
    if (body.startsWith('%') && !body.startsWith('%%')) {
      const [magic = '', ...rest] = body.slice(1).split(/\s+/);
      const argument = body.slice(1 + magic.length).trim();
      if (PYTHON_LINE_MAGICS.has(magic)) return indent + (withoutOptions(argument) || 'pass');
      if (magic === 'run' || (magic === 'store' && rest.includes('-r'))) result.dynamicLines.push(lineNumber);
      else result.shellLines.push(lineNumber);
      return indent + readsOf(argument);
    }
    if (/^[A-Za-z_][\w.]*\?{1,2}$/.test(body) || /^\?{1,2}[A-Za-z_][\w.]*$/.test(body)) return `${indent}pass`;
    return undefined;
  }
}
