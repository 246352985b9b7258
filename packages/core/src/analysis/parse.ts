import { parser } from '@lezer/python';
import type { Tree } from '@lezer/common';

/** Python source as parsed, and its tree; `code` may differ from the input in columns, never in lines. */
export interface ParsedPython {
  code: string;
  tree: Tree;
}

/**
 * Parses Python with @lezer/python, first spelling trailing-dot floats out (`20.` → `20.0`, `1.e5` → `1.0e5`):
 * lezer reads `20.` as an attribute of the integer 20, which Python never does, so `20.` is a float to Python.
 */
export function parsePython(code: string): ParsedPython {
  const tree = parser.parse(code);
  const dots = Private.trailingDots(code, tree);
  if (dots.length === 0) return { code, tree };
  let fixed = '';
  let from = 0;
  for (const at of dots) {
    fixed += `${code.slice(from, at)}0`;
    from = at;
  }
  fixed += code.slice(from);
  return { code: fixed, tree: parser.parse(fixed) };
}

namespace Private {
  /** Offsets just after the `.` of each `<integer>.` that lezer took for an attribute access. */
  export function trailingDots(code: string, tree: Tree): number[] {
    const dots: number[] = [];
    tree.iterate({
      enter(node) {
        if (node.name !== 'MemberExpression') return;
        const object = node.node.firstChild;
        const dot = object?.nextSibling;
        if (object?.name !== 'Number' || dot?.name !== '.' || dot.from !== object.to) return;
        if (/^\d[\d_]*$/.test(code.slice(object.from, object.to))) dots.push(dot.to);
      },
    });
    return dots;
  }
}
