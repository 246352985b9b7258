import { parsePython } from './parse.js';
import type { SyntaxNode } from '@lezer/common';
import type { ParameterValue } from '../graph/types.js';

/** Why a parameter is not a literal; `line` is 1-based within the text. */
export class LiteralError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * A parameter value as Python source text, so the step runtime evaluates it with `ast.literal_eval` exactly (`1.0`
 * stays a float, tuples stay tuples, int dict keys stay ints, big ints keep every digit). `value` is its JSON
 * approximation, which is what it serializes to.
 */
export class PythonLiteral {
  constructor(
    readonly source: string,
    readonly value: ParameterValue,
  ) {}

  toJSON(): ParameterValue {
    return this.value;
  }
}

/** A `-p name=value` override with Python's semantics: a `PythonLiteral` when VALUE is one, else the text itself. */
export function parseParameterOverride(text: string): PythonLiteral | string {
  try {
    return new PythonLiteral(text.trim(), evaluateLiteral(text.trim()));
  } catch {
    return text;
  }
}

/** A `-p name=value` override: a Python literal (`3`, `'a'`, `[1, 2]`, `True`, `None`), else the text itself. */
export function parseParameterValue(text: string): ParameterValue {
  try {
    return evaluateLiteral(text.trim());
  } catch {
    return text;
  }
}

/** Evaluates one Python literal expression; throws `LiteralError` for anything else. */
export function evaluateLiteral(input: string): ParameterValue {
  const { code: text, tree } = parsePython(input);
  const statements = Private.children(tree.topNode);
  const statement = statements[0];
  if (statements.length !== 1 || statement?.name !== 'ExpressionStatement') {
    throw new LiteralError('not a single Python literal', 1);
  }
  const parts = Private.children(statement);
  if (parts.length !== 1 || !parts[0]) throw new LiteralError('not a single Python literal', 1);
  try {
    return Private.literal(parts[0], text);
  } catch (error) {
    throw new LiteralError((error as Error).message, 1);
  }
}

/** Literal assignments of a `pipeline-parameters` cell, in order; throws `LiteralError` naming the line. */
export function parseParameterAssignments(
  cell: string,
): { name: string; value: ParameterValue; line: number; source: string }[] {
  const { code: source, tree } = parsePython(cell);
  const result: { name: string; value: ParameterValue; line: number; source: string }[] = [];
  for (const statement of Private.children(tree.topNode)) {
    const line = source.slice(0, statement.from).split('\n').length;
    if (statement.name === 'PassStatement') continue;
    const parts = Private.children(statement);
    const op = parts.findIndex((part) => part.name === 'AssignOp');
    const target = parts[0];
    const value = parts[op + 1];
    if (
      statement.name !== 'AssignStatement' ||
      op < 0 ||
      target?.name !== 'VariableName' ||
      !value ||
      parts.length > op + 2
    ) {
      throw new LiteralError(
        `line ${line}: expected NAME = LITERAL, got '${source.slice(statement.from, statement.to).split('\n')[0]}'`,
        line,
      );
    }
    try {
      result.push({
        name: source.slice(target.from, target.to),
        value: Private.literal(value, source),
        line,
        source: source.slice(value.from, value.to),
      });
    } catch (error) {
      throw new LiteralError(`line ${line}: ${(error as Error).message}`, line);
    }
  }
  return result;
}

namespace Private {
  export function children(node: SyntaxNode): SyntaxNode[] {
    const result: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling)
      if (child.name !== 'Comment') result.push(child);
    return result;
  }

  const ESCAPES: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '0': '\0',
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
    '\n': '',
  };

  function stringValue(raw: string): string {
    const prefix = /^[a-zA-Z]*/.exec(raw)?.[0] ?? '';
    if (/[fFbB]/.test(prefix)) throw new Error(`'${raw}' is not a plain string literal`);
    const body = raw.slice(prefix.length);
    const quote = body.startsWith('"""') || body.startsWith("'''") ? body.slice(0, 3) : body.slice(0, 1);
    const inner = body.slice(quote.length, body.length - quote.length);
    if (/[rR]/.test(prefix)) return inner;
    return inner.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\s\S])/g, (_, code: string) => {
      if (code.length > 1) return String.fromCodePoint(parseInt(code.slice(1), 16));
      return ESCAPES[code] ?? `\\${code}`;
    });
  }

  function numberValue(raw: string): number {
    const text = raw.replace(/_/g, '');
    if (/[jJ]$/.test(text)) throw new Error(`complex number '${raw}' is not supported`);
    if (/^0[xX]/.test(text)) return parseInt(text.slice(2), 16);
    if (/^0[oO]/.test(text)) return parseInt(text.slice(2), 8);
    if (/^0[bB]/.test(text)) return parseInt(text.slice(2), 2);
    const value = Number(text);
    if (Number.isNaN(value)) throw new Error(`'${raw}' is not a number`);
    return value;
  }

  export function literal(node: SyntaxNode, source: string): ParameterValue {
    const text = source.slice(node.from, node.to);
    const items = (): SyntaxNode[] =>
      children(node).filter((part) => !['(', ')', '[', ']', '{', '}', ','].includes(part.name));
    switch (node.name) {
      case 'Number':
        return numberValue(text);
      case 'String':
        return stringValue(text);
      case 'ContinuedString':
        return children(node)
          .map((part) => stringValue(source.slice(part.from, part.to)))
          .join('');
      case 'Boolean':
        return text === 'True';
      case 'None':
        return null;
      case 'UnaryExpression': {
        const [op, operand] = children(node);
        const value = operand ? literal(operand, source) : undefined;
        if (typeof value !== 'number' || !op) throw new Error(`'${text}' is not a literal`);
        const sign = source.slice(op.from, op.to);
        if (sign === '-') return -value;
        if (sign === '+') return value;
        throw new Error(`'${text}' is not a literal`);
      }
      case 'ParenthesizedExpression': {
        const inner = items();
        if (inner.length === 1 && inner[0] && !text.replace(/\s/g, '').endsWith(',)')) return literal(inner[0], source);
        return inner.map((part) => literal(part, source));
      }
      case 'TupleExpression':
      case 'ArrayExpression':
        return items().map((part) => literal(part, source));
      case 'DictionaryExpression': {
        const parts = items();
        const result: { [key: string]: ParameterValue } = {};
        for (let i = 0; i < parts.length; i++) {
          const key = parts[i];
          const colon = parts[i + 1];
          const value = parts[i + 2];
          if (!key || colon?.name !== ':' || !value) throw new Error(`'${text}' is not a literal dict`);
          const keyValue = literal(key, source);
          if (typeof keyValue !== 'string' && typeof keyValue !== 'number')
            throw new Error(`dict keys must be strings or numbers in '${text}'`);
          result[String(keyValue)] = literal(value, source);
          i += 2;
        }
        return result;
      }
      default:
        throw new Error(`'${text.split('\n')[0]}' is not a literal`);
    }
  }
}
