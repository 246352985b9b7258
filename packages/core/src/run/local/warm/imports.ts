import { parsePython } from '../../../analysis/parse.js';
import { ipythonToPython } from '../../../analysis/ipython.js';

/**
 * The absolute modules a cell's source imports, anywhere in it (a function's imports run when it is called):
 * `import a.b as c` gives `a.b`, `from x.y import z` gives `x.y`. Relative imports are left out.
 */
/** What the step runtime imports to run a cell that uses IPython syntax, `get_ipython()` or `display()`. */
const IPYTHON_SHELL = ['IPython.core.interactiveshell', 'IPython.core.inputtransformer2'];
const USES_SHELL = /\bget_ipython\b|\bdisplay\s*\(/;

/** Modules the runtime itself imports to run this cell (the IPython shell for magics), not the cell's own. */
export function runtimeModules(source: string): string[] {
  const python = ipythonToPython(source);
  const ipython = python.shellLines.length > 0 || python.dynamicLines.length > 0 || USES_SHELL.test(source);
  return ipython || python.notPython ? IPYTHON_SHELL : [];
}

export function importedModules(source: string): string[] {
  const python = ipythonToPython(source);
  if (python.notPython) return [];
  const { code, tree } = parsePython(python.code);
  const modules = new Set<string>();
  tree.iterate({
    enter(node) {
      if (node.name !== 'ImportStatement') return;
      const parts: { name: string; text: string }[] = [];
      for (let child = node.node.firstChild; child; child = child.nextSibling)
        parts.push({ name: child.name, text: code.slice(child.from, child.to) });
      if (parts[0]?.name === 'from') {
        const importAt = parts.findIndex((part) => part.name === 'import');
        const module = parts
          .slice(1, importAt)
          .map((part) => part.text)
          .join('');
        if (module && !module.startsWith('.')) modules.add(module);
        return;
      }
      // `import a.b as c, d`: dotted names run until `as` or `,`.
      let dotted = '';
      let aliasing = false;
      for (const part of parts.slice(1)) {
        if (part.name === ',') {
          if (dotted) modules.add(dotted);
          dotted = '';
          aliasing = false;
        } else if (part.name === 'as') aliasing = true;
        else if (!aliasing && (part.name === 'VariableName' || part.name === '.')) dotted += part.text;
      }
      if (dotted) modules.add(dotted);
    },
  });
  return [...modules];
}
