import { Document, isCollection, isPair, isScalar, type Node } from 'yaml';

/**
 * YAML text of a workflow document: block style, except that collections holding only one-line scalars
 * (artifact entries, arguments, dependency lists) are written on one line in flow style, and sequences
 * are not indented; this keeps a 500-step workflow small without making it hard to read.
 */
export function compactYaml(value: unknown): string {
  const document = new Document(value, { aliasDuplicateObjects: false });
  if (document.contents) Private.flowLeaves(document.contents);
  return document.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: false });
}

namespace Private {
  /** Marks every collection of one-line scalars as flow style; returns whether `node` is a one-line scalar. */
  export function flowLeaves(node: Node): boolean {
    if (isScalar(node)) return !String(node.value).includes('\n');
    if (!isCollection(node)) return false;
    let leaf = true;
    for (const item of node.items) {
      const child = isPair(item) ? item.value : item;
      if (!child || !flowLeaves(child as Node)) leaf = false;
    }
    node.flow = leaf;
    return false;
  }
}
