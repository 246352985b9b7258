import { cellLabel } from './cellLabel.js';
import type { CellpipeNotebookSettings, CellType, Notebook, NotebookCell, StepSettings } from './model.js';
import { parseCellTags, stepSettingsOf } from '../tags/parse.js';

/** Bad notebook input: a one-line message naming the notebook and, when there is one, the cell or field. */
export class NotebookInputError extends Error {
  readonly cellId?: string;
  readonly cellIndex?: number;

  constructor(message: string, options: NotebookInputError.IOptions = {}) {
    super(message);
    this.name = 'NotebookInputError';
    this.cellId = options.cellId;
    this.cellIndex = options.cellIndex;
  }
}

export namespace NotebookInputError {
  export interface IOptions {
    cellId?: string;
    cellIndex?: number;
  }
}

/** Parses nbformat-4 JSON into the cellpipe notebook model; throws `NotebookInputError` on bad input. */
export function readNotebook(json: string, name: string): Notebook {
  const root = Private.parseJson(json, name);
  if (!Private.isObject(root)) throw new NotebookInputError(`${name}: a notebook must be a JSON object`);
  const nbformat = root['nbformat'];
  if (typeof nbformat === 'number' && nbformat < 4) {
    throw new NotebookInputError(
      `${name}: nbformat ${nbformat} is not supported; convert it with 'jupyter nbconvert --to notebook --nbformat 4 ${name}'`,
    );
  }
  if (nbformat !== undefined && nbformat !== 4) {
    throw new NotebookInputError(`${name}: field 'nbformat' must be 4, got ${JSON.stringify(nbformat)}`);
  }
  const rawCells = root['cells'];
  if (rawCells === undefined) throw new NotebookInputError(`${name}: missing field 'cells'`);
  if (!Array.isArray(rawCells)) throw new NotebookInputError(`${name}: field 'cells' must be a list`);
  const metadata = root['metadata'] ?? {};
  if (!Private.isObject(metadata)) throw new NotebookInputError(`${name}: field 'metadata' must be an object`);

  const seenIds = new Map<string, number>();
  const cells = rawCells.map((raw, index) => {
    const cell = Private.readCell(raw, index, name);
    const earlier = seenIds.get(cell.id);
    if (earlier !== undefined) {
      throw new NotebookInputError(`${name}: ${cellLabel(index, cell.id)} repeats the id of ${cellLabel(earlier)}`, {
        cellId: cell.id,
        cellIndex: index,
      });
    }
    seenIds.set(cell.id, index);
    return cell;
  });

  return {
    name,
    cells,
    settings: Private.readSettings(metadata, name),
    language: Private.readLanguage(metadata),
  };
}

/** Stable id for cells of notebooks older than nbformat 4.5, which have none. */
export function derivedCellId(index: number): string {
  return `cell-${index}`;
}

namespace Private {
  const CELL_TYPES: ReadonlySet<string> = new Set(['code', 'markdown', 'raw']);

  export function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  export function parseJson(json: string, name: string): unknown {
    try {
      return JSON.parse(json);
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0]?.replace(/, "[\s\S]*$/, '') ?? 'syntax error';
      const offset = errorOffset(json);
      const before = json.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      throw new NotebookInputError(`${name}: invalid JSON at line ${line}, column ${column}: ${reason}`);
    }
  }

  /** Offset of the first JSON syntax error (engines disagree on whether their message carries one). */
  function errorOffset(json: string): number {
    let at = 0;
    const fail = (): never => {
      throw at;
    };
    const space = (): void => {
      while (at < json.length && ' \t\r\n'.includes(json[at] as string)) at++;
    };
    const literal = (word: string): void => {
      if (json.startsWith(word, at)) at += word.length;
      else fail();
    };
    const string = (): void => {
      at++;
      while (at < json.length && json[at] !== '"') {
        if (json.charCodeAt(at) < 0x20) fail();
        at += json[at] === '\\' ? 2 : 1;
      }
      if (at >= json.length) fail();
      at++;
    };
    const value = (): void => {
      space();
      const char = json[at];
      if (char === '{' || char === '[') {
        const close = char === '{' ? '}' : ']';
        at++;
        space();
        if (json[at] === close) {
          at++;
          return;
        }
        for (;;) {
          if (close === '}') {
            space();
            if (json[at] !== '"') fail();
            string();
            space();
            if (json[at] !== ':') fail();
            at++;
          }
          value();
          space();
          if (json[at] === ',') at++;
          else if (json[at] === close) {
            at++;
            return;
          } else fail();
        }
      }
      if (char === '"') return string();
      if (char === 't') return literal('true');
      if (char === 'f') return literal('false');
      if (char === 'n') return literal('null');
      const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(json.slice(at, at + 400));
      if (!number) fail();
      at += number?.[0].length ?? 0;
    };
    try {
      value();
      space();
      return at;
    } catch (offset) {
      return typeof offset === 'number' ? offset : at;
    }
  }

  export function readCell(raw: unknown, index: number, name: string): NotebookCell {
    if (!isObject(raw))
      throw new NotebookInputError(`${name}: ${cellLabel(index)} is not an object`, { cellIndex: index });
    const rawId = raw['id'];
    if (rawId !== undefined && (typeof rawId !== 'string' || rawId === '')) {
      throw new NotebookInputError(`${name}: ${cellLabel(index)}: field 'id' must be a non-empty string`, {
        cellIndex: index,
      });
    }
    const id = rawId ?? derivedCellId(index);
    const where = { cellId: id, cellIndex: index };
    const cellType = raw['cell_type'];
    if (typeof cellType !== 'string' || !CELL_TYPES.has(cellType)) {
      throw new NotebookInputError(
        `${name}: ${cellLabel(index, id)}: field 'cell_type' must be code, markdown or raw, got ${JSON.stringify(cellType)}`,
        where,
      );
    }
    return {
      id,
      index,
      cellType: cellType as CellType,
      source: readSource(raw['source'], index, id, name),
      tags: readTags(raw, index, id, name),
    };
  }

  function readSource(source: unknown, index: number, id: string, name: string): string {
    if (source === undefined) return '';
    if (typeof source === 'string') return source;
    if (Array.isArray(source) && source.every((line) => typeof line === 'string')) return source.join('');
    throw new NotebookInputError(
      `${name}: ${cellLabel(index, id)}: field 'source' must be a string or a list of strings`,
      {
        cellId: id,
        cellIndex: index,
      },
    );
  }

  function readTags(raw: Record<string, unknown>, index: number, id: string, name: string): string[] {
    const metadata = raw['metadata'];
    if (metadata === undefined) return [];
    const where = { cellId: id, cellIndex: index };
    if (!isObject(metadata)) {
      throw new NotebookInputError(`${name}: ${cellLabel(index, id)}: field 'metadata' must be an object`, where);
    }
    const tags = metadata['tags'];
    if (tags === undefined) return [];
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
      throw new NotebookInputError(
        `${name}: ${cellLabel(index, id)}: field 'metadata.tags' must be a list of strings`,
        where,
      );
    }
    return tags.map((tag) => tag.trim()).filter((tag) => tag !== '');
  }

  export function readLanguage(metadata: Record<string, unknown>): string {
    const kernelspec = metadata['kernelspec'];
    if (isObject(kernelspec) && typeof kernelspec['language'] === 'string') return kernelspec['language'].toLowerCase();
    const languageInfo = metadata['language_info'];
    if (isObject(languageInfo) && typeof languageInfo['name'] === 'string') return languageInfo['name'].toLowerCase();
    return 'python';
  }

  export function readSettings(metadata: Record<string, unknown>, name: string): CellpipeNotebookSettings {
    const settings: CellpipeNotebookSettings = {};
    const kale = metadata['kubeflow_notebook'];
    if (isObject(kale)) {
      if (typeof kale['docker_image'] === 'string' && kale['docker_image'] !== '')
        settings.image = kale['docker_image'];
      if (typeof kale['pipeline_name'] === 'string' && kale['pipeline_name'] !== '')
        settings.name = kale['pipeline_name'];
      const defaults = kale['steps_defaults'];
      if (defaults !== undefined) {
        if (!Array.isArray(defaults) || !defaults.every((tag) => typeof tag === 'string')) {
          throw new NotebookInputError(
            `${name}: field 'metadata.kubeflow_notebook.steps_defaults' must be a list of tags`,
          );
        }
        const parsed = parseCellTags(defaults);
        const problem = parsed.problems[0];
        if (problem) {
          throw new NotebookInputError(
            `${name}: field 'metadata.kubeflow_notebook.steps_defaults': ${problem.message}`,
          );
        }
        settings.stepDefaults = stepSettingsOf(parsed);
      }
    }
    const own = metadata['cellpipe'];
    if (own === undefined) return settings;
    if (!isObject(own)) throw new NotebookInputError(`${name}: field 'metadata.cellpipe' must be an object`);
    for (const key of ['image', 'name'] as const) {
      const value = own[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value === '') {
        throw new NotebookInputError(`${name}: field 'metadata.cellpipe.${key}' must be a non-empty string`);
      }
      settings[key] = value;
    }
    if (own['stepDefaults'] !== undefined) {
      settings.stepDefaults = { ...settings.stepDefaults, ...readStepDefaults(own['stepDefaults'], name) };
    }
    return settings;
  }

  function readStepDefaults(raw: unknown, name: string): StepSettings {
    const field = `${name}: field 'metadata.cellpipe.stepDefaults`;
    if (!isObject(raw)) throw new NotebookInputError(`${field}' must be an object`);
    const result: StepSettings = {};
    for (const [key, value] of Object.entries(raw)) {
      switch (key) {
        case 'image':
          if (typeof value !== 'string' || value === '')
            throw new NotebookInputError(`${field}.image' must be a string`);
          result.image = value;
          break;
        case 'limits':
        case 'annotations':
        case 'labels':
          if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
            throw new NotebookInputError(`${field}.${key}' must map names to strings`);
          }
          result[key] = { ...(value as Record<string, string>) };
          break;
        case 'cache':
          if (typeof value !== 'boolean') throw new NotebookInputError(`${field}.cache' must be true or false`);
          result.cache = value;
          break;
        case 'retries':
        case 'timeoutSeconds':
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
            throw new NotebookInputError(`${field}.${key}' must be a non-negative integer`);
          }
          result[key] = value;
          break;
        default:
          throw new NotebookInputError(`${field}.${key}' is not a known setting`);
      }
    }
    return result;
  }
}
