/** What string literals passed to calls tell the analysis: names read by query/eval strings, files written or read. */

const EXPRESSION_KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'True', 'False', 'None', 'lambda']);

/**
 * Names a pandas `query`/`eval` string may read from the caller's namespace: `@limit` certainly (`explicit`), a bare
 * name possibly (it may be a column).
 */
export function namesInExpressionString(text: string): { name: string; explicit: boolean }[] {
  const code = text.replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`[^`]*`/g, ' ');
  const found = new Map<string, boolean>();
  for (const match of code.matchAll(/(^|[^\w.])(@?)([A-Za-z_]\w*)/g)) {
    const name = match[3] ?? '';
    if (EXPRESSION_KEYWORDS.has(name)) continue;
    found.set(name, (found.get(name) ?? false) || match[2] === '@');
  }
  return [...found].map(([name, explicit]) => ({ name, explicit }));
}

/** Functions and methods that write the file named by their path arguments. */
const FILE_WRITERS: ReadonlySet<string> = new Set(
  `to_csv to_parquet to_json to_pickle to_excel to_feather to_hdf to_stata to_orc to_xml to_html to_latex to_markdown
  to_sql to_netcdf to_file to_zarr savefig save savez savez_compressed savetxt tofile dump write_text write_bytes touch
  save_model save_weights imwrite imsave write copyfile copy copy2 copytree move rename replace urlretrieve
  remove unlink rmtree`.split(/\s+/),
);

/** A string that looks like a file path (`out.csv`, `data/x`), not a column name, option name or URL. */
export function looksLikePath(value: string): boolean {
  if (value.length === 0 || value.length > 260 || /[\s*?<>|"'\n]/.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    return false;
  return value.includes('/') || /\.[A-Za-z][A-Za-z0-9]{0,7}$/.test(value);
}

/** `./out.csv` and `out.csv` are one file. */
export function normalizePath(value: string): string {
  return value.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

export interface CallString {
  keyword?: string;
  /** The literal's text; undefined for an argument that is not a plain string literal. */
  value?: string;
}

/**
 * Files a call writes or may read, from its string literal arguments (and those of the call it is made on, as in
 * `Path("a.txt").write_text(…)`): `open(p, "w")` and the writers above write, any other call may read.
 */
export function fileFactsOfCall(
  callee: string,
  args: CallString[],
  receiverStrings: string[],
): { path: string; mode: 'read' | 'write' }[] {
  const positional = args.filter((arg) => !arg.keyword);
  if (callee === 'open') {
    const path = positional[0]?.value ?? args.find((arg) => arg.keyword === 'file')?.value;
    const mode = positional[1]?.value ?? args.find((arg) => arg.keyword === 'mode')?.value ?? 'r';
    if (path === undefined || !looksLikePath(path)) return [];
    return [{ path: normalizePath(path), mode: /[wax+]/.test(mode) ? 'write' : 'read' }];
  }
  const mode = FILE_WRITERS.has(callee) ? 'write' : 'read';
  const values = [...args.map((arg) => arg.value), ...receiverStrings];
  return values
    .filter((value): value is string => value !== undefined && looksLikePath(value))
    .map((value) => ({ path: normalizePath(value), mode }));
}
