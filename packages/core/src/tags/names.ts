/** Kubernetes RFC 1123 label for a step name: deterministic, so the same notebook always gives the same names. */
export function normalizeStepName(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const label = ascii.slice(0, 63).replace(/-+$/, '');
  if (label !== '' && /^[a-z0-9]/.test(label)) return label;
  return `step-${Private.fnv1a(name)}`;
}

/** Whether `name` is already a valid RFC 1123 label. */
export function isKubernetesLabel(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

namespace Private {
  /** Short stable hash for names with no ASCII letters or digits (e.g. `数据`). */
  export function fnv1a(text: string): string {
    let hash = 0x811c9dc5;
    for (const char of text) {
      hash ^= char.codePointAt(0) ?? 0;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash.toString(16).padStart(8, '0');
  }
}
