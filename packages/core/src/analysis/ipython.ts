/** IPython syntax turned into plain Python, line for line, so that line numbers stay those of the cell. */
export interface PythonSource {
  /** Plain Python with the same number of lines as the cell. */
  code: string;
  /** True when a cell magic makes the whole body something other than Python (`%%bash`, `%%html`, …). */
  notPython: boolean;
  /** True for `%%writefile` / `%%file`: the cell writes a file that later cells may import or read. */
  writesFile: boolean;
  /** 1-based lines holding shell commands or magics (`!ls`, `%pip`), which static analysis cannot see into. */
  shellLines: number[];
  /** 1-based lines with `%run` or `%store -r`, which may bind any name. */
  dynamicLines: number[];
}

/** Rewrites `%magic`, `%%magic`, `!shell`, `x = !cmd` and `x?` into Python that binds and reads the same names. */
export function ipythonToPython(source: string): PythonSource {
  const lines = source.split('\n');
  const result: PythonSource = { code: '', notPython: false, writesFile: false, shellLines: [], dynamicLines: [] };
  const first = lines[0]?.trim() ?? '';
  if (first.startsWith('%%')) {
    const [magic = '', ...args] = first.slice(2).trim().split(/\s+/);
    if (Private.PYTHON_CELL_MAGICS.has(magic)) {
      const capture = magic === 'capture' ? args.filter((arg) => !arg.startsWith('-')).pop() : undefined;
      lines[0] = capture && /^[A-Za-z_]\w*$/.test(capture) ? `${capture} = ...` : '';
    } else {
      result.notPython = true;
      result.writesFile = magic === 'writefile' || magic === 'file';
      result.shellLines.push(1);
      lines[0] = Private.readsOf(lines.slice(1).join('\n'));
      result.code = [lines[0], ...lines.slice(1).map(() => '')].join('\n');
      return result;
    }
  }
  let continued = false;
  const lexer = new Private.LineLexer();
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const wasContinued = continued;
    continued = line.endsWith('\\');
    // Inside brackets or a triple-quoted string a line starting with `%` or `!` is Python (`"%s"\n % (x,)`).
    if (wasContinued || lexer.inside) {
      lexer.scan(line);
      continue;
    }
    const rewritten = Private.rewriteLine(line, index + 1, result);
    if (rewritten !== undefined) lines[index] = rewritten;
    else lexer.scan(line);
  }
  result.code = Private.unparenthesizeWith(lines.join('\n'));
  return result;
}

namespace Private {
  /** Follows bracket depth and open triple-quoted strings across the lines of a cell. */
  export class LineLexer {
    private depth = 0;
    private openTriple: string | undefined;

    get inside(): boolean {
      return this.depth > 0 || this.openTriple !== undefined;
    }

    scan(line: string): void {
      let at = 0;
      if (this.openTriple) {
        const end = LineLexer.closing(line, 0, this.openTriple);
        if (end < 0) return;
        this.openTriple = undefined;
        at = end;
      }
      while (at < line.length) {
        const char = line[at] as string;
        if (char === '#') return;
        if (char === '"' || char === "'") {
          const quote = line.startsWith(char.repeat(3), at) ? char.repeat(3) : char;
          const end = LineLexer.closing(line, at + quote.length, quote);
          if (end < 0) {
            if (quote.length === 3) this.openTriple = quote;
            return;
          }
          at = end;
          continue;
        }
        if (char === '(' || char === '[' || char === '{') this.depth++;
        else if ((char === ')' || char === ']' || char === '}') && this.depth > 0) this.depth--;
        at++;
      }
    }

    /** Offset just after the closing `quote` searched from `from`, or -1 when the string goes on. */
    private static closing(line: string, from: number, quote: string): number {
      for (let at = from; at < line.length; at++) {
        if (line[at] === '\\') at++;
        else if (line.startsWith(quote, at)) return at + quote.length;
      }
      return -1;
    }
  }

  /**
   * `with (open(a) as f, open(b) as g):` (Python 3.10) is a syntax error for @lezer/python 1.1: drop the
   * parentheses and continue the lines with backslashes, which keeps every line where it was.
   */
  export function unparenthesizeWith(code: string): string {
    const pattern = /^[ \t]*(?:async[ \t]+)?with[ \t]*\(/gm;
    let output = '';
    let copied = 0;
    for (let match = pattern.exec(code); match; match = pattern.exec(code)) {
      const open = match.index + match[0].length - 1;
      const rewritten = rewriteWithItems(code, open);
      if (!rewritten) continue;
      output += code.slice(copied, open) + rewritten.text;
      copied = rewritten.end;
      pattern.lastIndex = rewritten.end;
    }
    return copied === 0 ? code : output + code.slice(copied);
  }

  /** From the `(` at `open`: the items without parentheses, if they contain a top-level `as` and end in `):`. */
  function rewriteWithItems(code: string, open: number): { text: string; end: number } | undefined {
    let depth = 0;
    let hasAs = false;
    let text = '';
    let lastComma = -1;
    for (let at = open; at < code.length; at++) {
      const char = code[at] as string;
      if (char === '"' || char === "'") {
        const triple = code.startsWith(char.repeat(3), at);
        const quote = triple ? char.repeat(3) : char;
        let end = at + quote.length;
        while (end < code.length && !code.startsWith(quote, end)) end += code[end] === '\\' ? 2 : 1;
        const literal = code.slice(at, end + quote.length);
        if (triple && literal.includes('\n')) return undefined;
        text += literal;
        at = end + quote.length - 1;
        continue;
      }
      if (char === '#') {
        while (at + 1 < code.length && code[at + 1] !== '\n') at++;
        continue;
      }
      if (char === '(' || char === '[' || char === '{') depth++;
      if (char === ')' || char === ']' || char === '}') depth--;
      if (depth === 0) {
        if (!hasAs || !/^\s*:/.test(code.slice(at + 1))) return undefined;
        if (
          lastComma >= 0 &&
          text
            .slice(lastComma + 1)
            .replace(/\\\n/g, '')
            .trim() === ''
        )
          text = `${text.slice(0, lastComma)} ${text.slice(lastComma + 1)}`;
        return { text: ` ${text.slice(1)} `, end: at + 1 };
      }
      if (depth === 1 && /\sas\s/.test(code.slice(at - 1, at + 3))) hasAs = true;
      if (depth === 1 && char === ',') lastComma = text.length;
      text += char === '\n' ? ' \\\n' : char;
    }
    return undefined;
  }

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
