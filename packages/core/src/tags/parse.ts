import type { StepSettings } from '../notebook/model.js';

/** Why a tag was not understood; becomes an `unknown-tag` / `malformed-tag` warning naming the cell. */
export interface TagProblem {
  tag: string;
  code: 'unknown-tag' | 'malformed-tag';
  message: string;
}

/** Everything cellpipe reads from one cell's tags (Kale-compatible). */
export interface ParsedCellTags {
  /** Step name as written (`step:NAME`, or Kale's older `block:NAME`). */
  step?: string;
  /** Explicit upstream steps from `prev:NAME`, as written. */
  prev: string[];
  skip: boolean;
  imports: boolean;
  functions: boolean;
  /** `pipeline-parameters`, papermill's `parameters` or `injected-parameters`. */
  parameters: boolean;
  /** `pipeline-metrics` or `metrics`. */
  metrics: boolean;
  image?: string;
  limits: Record<string, string>;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  cache?: boolean;
  retries?: number;
  timeoutSeconds?: number;
  problems: TagProblem[];
}

/** Reads a cell's tags; never throws: anything not understood becomes a `problem`. */
export function parseCellTags(tags: readonly string[]): ParsedCellTags {
  const parsed: ParsedCellTags = {
    prev: [],
    skip: false,
    imports: false,
    functions: false,
    parameters: false,
    metrics: false,
    limits: {},
    annotations: {},
    labels: {},
    problems: [],
  };
  for (const tag of tags) Private.readTag(tag.trim(), parsed);
  return parsed;
}

/** The per-step settings a cell's tags carry (only the fields that were set). */
export function stepSettingsOf(parsed: ParsedCellTags): StepSettings {
  const settings: StepSettings = {};
  if (parsed.image !== undefined) settings.image = parsed.image;
  if (Object.keys(parsed.limits).length > 0) settings.limits = { ...parsed.limits };
  if (Object.keys(parsed.annotations).length > 0) settings.annotations = { ...parsed.annotations };
  if (Object.keys(parsed.labels).length > 0) settings.labels = { ...parsed.labels };
  if (parsed.cache !== undefined) settings.cache = parsed.cache;
  if (parsed.retries !== undefined) settings.retries = parsed.retries;
  if (parsed.timeoutSeconds !== undefined) settings.timeoutSeconds = parsed.timeoutSeconds;
  return settings;
}

/** Later settings win key by key; maps (limits, labels, annotations) are merged. */
export function mergeStepSettings(...layers: (StepSettings | undefined)[]): StepSettings {
  const merged: StepSettings = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of ['limits', 'annotations', 'labels'] as const) {
      if (layer[key]) merged[key] = { ...merged[key], ...layer[key] };
    }
    if (layer.image !== undefined) merged.image = layer.image;
    if (layer.cache !== undefined) merged.cache = layer.cache;
    if (layer.retries !== undefined) merged.retries = layer.retries;
    if (layer.timeoutSeconds !== undefined) merged.timeoutSeconds = layer.timeoutSeconds;
  }
  return merged;
}

/** `30s`, `5m`, `1h30m`, `2h`, or bare seconds → seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') return undefined;
  const [, hours, minutes, seconds] = match;
  return Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}

/** Kubernetes resource quantity syntax (`500m`, `4Gi`, `1.5`, `1e3`), non-negative. */
export function isResourceQuantity(text: string): boolean {
  return /^(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/.test(text);
}

/** Kubernetes label/annotation key: optional DNS-subdomain prefix and a 63-character name. */
export function isKubernetesKey(text: string): boolean {
  const slash = text.lastIndexOf('/');
  const prefix = slash >= 0 ? text.slice(0, slash) : undefined;
  const name = slash >= 0 ? text.slice(slash + 1) : text;
  if (
    prefix !== undefined &&
    (prefix.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix))
  ) {
    return false;
  }
  return name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}

/** Kubernetes label value: empty or up to 63 characters of alphanumerics, `-`, `_`, `.`. */
export function isKubernetesLabelValue(text: string): boolean {
  return text === '' || (text.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(text));
}

namespace Private {
  const FLAGS: Record<string, 'skip' | 'imports' | 'functions' | 'parameters' | 'metrics'> = {
    skip: 'skip',
    imports: 'imports',
    functions: 'functions',
    'pipeline-parameters': 'parameters',
    parameters: 'parameters',
    'injected-parameters': 'parameters',
    'pipeline-metrics': 'metrics',
    metrics: 'metrics',
  };

  function malformed(parsed: ParsedCellTags, tag: string, why: string): void {
    parsed.problems.push({ tag, code: 'malformed-tag', message: `tag '${tag}': ${why}` });
  }

  /** Splits `KEY:VALUE` where the key cannot contain ':' but the value can. */
  function keyValue(rest: string): [string, string] | undefined {
    const colon = rest.indexOf(':');
    if (colon <= 0) return undefined;
    return [rest.slice(0, colon), rest.slice(colon + 1)];
  }

  export function readTag(tag: string, parsed: ParsedCellTags): void {
    if (tag === '') return;
    const flag = FLAGS[tag];
    if (flag) {
      parsed[flag] = true;
      return;
    }
    const colon = tag.indexOf(':');
    const kind = colon < 0 ? tag : tag.slice(0, colon);
    const rest = colon < 0 ? '' : tag.slice(colon + 1);
    switch (kind) {
      case 'step':
      case 'block':
        if (rest.trim() === '') return malformed(parsed, tag, 'the step name is empty');
        if (parsed.step !== undefined && parsed.step !== rest.trim()) {
          return malformed(parsed, tag, `the cell already starts step '${parsed.step}'`);
        }
        parsed.step = rest.trim();
        return;
      case 'prev':
        if (rest.trim() === '') return malformed(parsed, tag, 'the step name is empty');
        if (!parsed.prev.includes(rest.trim())) parsed.prev.push(rest.trim());
        return;
      case 'image':
        if (rest === '' || /\s/.test(rest)) return malformed(parsed, tag, 'expected image:REFERENCE without spaces');
        parsed.image = rest;
        return;
      case 'limit': {
        const pair = keyValue(rest);
        if (!pair) return malformed(parsed, tag, 'expected limit:RESOURCE:QUANTITY, e.g. limit:memory:4Gi');
        if (!isKubernetesKey(pair[0])) return malformed(parsed, tag, `'${pair[0]}' is not a Kubernetes resource name`);
        if (!isResourceQuantity(pair[1])) {
          return malformed(parsed, tag, `'${pair[1]}' is not a Kubernetes quantity (e.g. 1, 500m, 4Gi)`);
        }
        parsed.limits[pair[0]] = pair[1];
        return;
      }
      case 'annotation':
      case 'label': {
        const pair = keyValue(rest);
        if (!pair) return malformed(parsed, tag, `expected ${kind}:KEY:VALUE`);
        if (!isKubernetesKey(pair[0])) return malformed(parsed, tag, `'${pair[0]}' is not a valid Kubernetes key`);
        if (kind === 'label') {
          if (!isKubernetesLabelValue(pair[1]))
            return malformed(parsed, tag, `'${pair[1]}' is not a valid label value`);
          parsed.labels[pair[0]] = pair[1];
        } else {
          parsed.annotations[pair[0]] = pair[1];
        }
        return;
      }
      case 'cache':
        if (rest !== 'enabled' && rest !== 'disabled')
          return malformed(parsed, tag, 'expected cache:enabled or cache:disabled');
        parsed.cache = rest === 'enabled';
        return;
      case 'retry':
      case 'retries':
        if (!/^\d+$/.test(rest)) return malformed(parsed, tag, 'expected retry:N with N a non-negative integer');
        parsed.retries = Number(rest);
        return;
      case 'timeout': {
        const seconds = parseDuration(rest);
        if (seconds === undefined || seconds === 0)
          return malformed(parsed, tag, 'expected a duration such as 30s, 5m or 1h30m');
        parsed.timeoutSeconds = seconds;
        return;
      }
      default:
        parsed.problems.push({ tag, code: 'unknown-tag', message: `unknown tag '${tag}'` });
    }
  }
}
