import { Document, isScalar, visit } from 'yaml';

/**
 * YAML text of a workflow document: block style, except that collections holding only scalars
 * (artifact entries, arguments, dependency lists) are written on one line in flow style, which
 * keeps a 500-step workflow small without making it hard to read.
 */
export function compactYaml(value: unknown): string {
  const document = new Document(value, { aliasDuplicateObjects: false });
  visit(document, {
    Map(_key, node) {
      if (node.items.every((pair) => isScalar(pair.value) && !String(pair.value.value).includes('\n')))
        node.flow = true;
    },
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item) && !String(item.value).includes('\n'))) node.flow = true;
    },
  });
  return document.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: false });
}
