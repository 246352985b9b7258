import { Document, isCollection, isPair, isScalar, type Node } from 'yaml';

/** Longest collection (in characters, roughly) written on one line. */
const FLOW_WIDTH = 160;

/**
 * YAML text of a workflow document: block style, except that short collections of one-line scalars
 * (artifact entries, arguments, dependency lists, small nested maps) are written on one line in flow
 * style, and sequences are not indented; this keeps a 500-step workflow small without making it hard to read.
 */
export function compactYaml(value: unknown): string {
  const document = new Document(value, { aliasDuplicateObjects: false });
  if (document.contents) Private.flowShort(document.contents);
  return document.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: false });
}

namespace Private {
  /**
   * Marks collections that fit on one line as flow style (children first); returns the node's width in
   * flow style, or Infinity when it must stay in block style (multi-line text or a collection too wide).
   */
  export function flowShort(node: Node): number {
    if (isScalar(node)) {
      const text = String(node.value);
      return text.includes('\n') ? Infinity : text.length + 2;
    }
    if (!isCollection(node)) return Infinity;
    let width = 2;
    for (const item of node.items) {
      const child = isPair(item) ? item.value : item;
      const key = isPair(item) && isScalar(item.key) ? String(item.key.value).length + 2 : 0;
      width += key + (child ? flowShort(child as Node) : Infinity) + 2;
    }
    node.flow = width <= FLOW_WIDTH;
    return node.flow ? width : Infinity;
  }
}
