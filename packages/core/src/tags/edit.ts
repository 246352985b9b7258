/**
 * Pure helpers the editors use to change a cell's tags. Each returns a new array; tags it does not
 * own are kept untouched and in order, and a replaced tag keeps its position.
 */

/** The single-valued role a cell can have. */
export type CellRole =
  | { kind: 'step'; name: string }
  | { kind: 'continue' }
  | { kind: 'skip' }
  | { kind: 'imports' }
  | { kind: 'functions' }
  | { kind: 'parameters' }
  | { kind: 'metrics' };

/** Sets (or with `null` removes) the `step:` tag; Kale's `block:` alias is replaced too. */
export function withStepTag(tags: readonly string[], step: string | null): string[] {
  return Private.replace(
    tags,
    (tag) => tag.startsWith('step:') || tag.startsWith('block:'),
    step === null ? [] : [`step:${step}`],
  );
}

/** Sets the cell's `prev:` tags to exactly `steps`. */
export function withPrevTags(tags: readonly string[], steps: readonly string[]): string[] {
  return Private.replace(
    tags,
    (tag) => tag.startsWith('prev:'),
    [...new Set(steps)].map((step) => `prev:${step}`),
  );
}

export function withSkip(tags: readonly string[], skip: boolean): string[] {
  return Private.replace(tags, (tag) => tag === 'skip', skip ? ['skip'] : []);
}

export function withImage(tags: readonly string[], image: string | null): string[] {
  return Private.replace(tags, (tag) => tag.startsWith('image:'), image === null ? [] : [`image:${image}`]);
}

/** Sets (or with `null` removes) `limit:RESOURCE:QTY` for one resource. */
export function withLimit(tags: readonly string[], resource: string, quantity: string | null): string[] {
  return Private.replaceKeyed(tags, 'limit', resource, quantity);
}

export function withAnnotation(tags: readonly string[], key: string, value: string | null): string[] {
  return Private.replaceKeyed(tags, 'annotation', key, value);
}

export function withLabel(tags: readonly string[], key: string, value: string | null): string[] {
  return Private.replaceKeyed(tags, 'label', key, value);
}

export function withCache(tags: readonly string[], enabled: boolean | null): string[] {
  return Private.replace(
    tags,
    (tag) => tag.startsWith('cache:'),
    enabled === null ? [] : [`cache:${enabled ? 'enabled' : 'disabled'}`],
  );
}

export function withRetries(tags: readonly string[], retries: number | null): string[] {
  return Private.replace(
    tags,
    (tag) => tag.startsWith('retry:') || tag.startsWith('retries:'),
    retries === null ? [] : [`retry:${retries}`],
  );
}

/** `timeout` is a duration tag value such as `30s`, `5m` or `1h30m`. */
export function withTimeout(tags: readonly string[], timeout: string | null): string[] {
  return Private.replace(tags, (tag) => tag.startsWith('timeout:'), timeout === null ? [] : [`timeout:${timeout}`]);
}

/** Gives the cell exactly one role (step start, continuation, skip, imports, …), removing the others. */
export function withCellRole(tags: readonly string[], role: CellRole): string[] {
  const roleTags = new Set([
    'skip',
    'imports',
    'functions',
    'pipeline-parameters',
    'parameters',
    'injected-parameters',
    'pipeline-metrics',
    'metrics',
  ]);
  const replacement: Record<CellRole['kind'], string[]> = {
    step: role.kind === 'step' ? [`step:${role.name}`] : [],
    continue: [],
    skip: ['skip'],
    imports: ['imports'],
    functions: ['functions'],
    parameters: ['pipeline-parameters'],
    metrics: ['pipeline-metrics'],
  };
  return Private.replace(
    tags,
    (tag) => roleTags.has(tag) || tag.startsWith('step:') || tag.startsWith('block:'),
    replacement[role.kind],
  );
}

namespace Private {
  /** Replaces every tag matching `owned` by `next`, at the position of the first match (or at the end). */
  export function replace(tags: readonly string[], owned: (tag: string) => boolean, next: string[]): string[] {
    const first = tags.findIndex(owned);
    const kept = tags.filter((tag) => !owned(tag));
    const at = first < 0 ? kept.length : tags.slice(0, first).filter((tag) => !owned(tag)).length;
    return [...kept.slice(0, at), ...next, ...kept.slice(at)];
  }

  export function replaceKeyed(tags: readonly string[], kind: string, key: string, value: string | null): string[] {
    const prefix = `${kind}:${key}:`;
    return replace(tags, (tag) => tag.startsWith(prefix), value === null ? [] : [`${prefix}${value}`]);
  }
}
