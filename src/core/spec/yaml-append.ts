/**
 * Appending items to a list in a YAML file as text, so everything else in the file — comments, order,
 * quoting, odd formatting — stays byte for byte: cassettes (recorded answers), sample sets (samples from
 * runs) and tool specs (mocks from live calls) are hand-edited files that agentctl adds to.
 */
import { isMap, isNode, isSeq, parseDocument, stringify } from 'yaml';

/**
 * `source` with `items` appended to the list at `keys` (e.g. ['spec', 'mocks']):
 * - a non-empty block list: the items go after its last item, at its indentation;
 * - an empty or flow list (`mocks: []`): only that value is rewritten, as a block list;
 * - no such key: it is added at the end of its parent map (made at the top of an empty file).
 * Undefined when the parent is not a block map (there is nowhere sensible to add it as text).
 */
export function appendToYamlList(source: string, keys: readonly string[], items: readonly unknown[]): string | undefined {
  const doc = parseDocument(source);
  const lines = (values: readonly unknown[], indent: number) =>
    stringify(values, { lineWidth: 0, aliasDuplicateObjects: false })
      .trimEnd()
      .split('\n')
      .map((line) => `${' '.repeat(indent)}${line}`)
      .join('\n');
  const lineStart = (at: number) => source.lastIndexOf('\n', at - 1) + 1;
  const leading = (at: number) => (/^ */.exec(source.slice(lineStart(at)))?.[0] ?? '').length;
  const spliceAt = (at: number, text: string) => {
    const before = source.slice(0, at);
    return `${before}${before.endsWith('\n') || before === '' ? '' : '\n'}${text}\n${source.slice(at)}`;
  };

  const seq = doc.getIn(keys, true);
  if (isSeq(seq) && !seq.flow && seq.items.length > 0 && seq.range) {
    const [start, , end] = seq.range;
    return spliceAt(end, lines(items, start - lineStart(start)));
  }
  if (seq && isNode(seq) && seq.range) {
    const [start, end] = seq.range;
    const existing = isSeq(seq) ? seq.items.map((item) => (isNode(item) ? item.toJSON() : item)) : [];
    return `${source.slice(0, start).trimEnd()}\n${lines([...existing, ...items], leading(start) + 2)}${source.slice(end)}`;
  }
  const key = keys.at(-1) as string;
  const parent = keys.length > 1 ? doc.getIn(keys.slice(0, -1), true) : doc.contents;
  if (isMap(parent) && !parent.flow && parent.items.length > 0 && parent.range) {
    const firstKey = parent.items[0]?.key;
    const indent = isNode(firstKey) && firstKey.range ? firstKey.range[0] - lineStart(firstKey.range[0]) : 0;
    return spliceAt(parent.range[2], `${' '.repeat(indent)}${key}:\n${lines(items, indent + 2)}`);
  }
  if (keys.length === 1 && (doc.contents === null || source.trim() === '')) return spliceAt(source.length, `${key}:\n${lines(items, 2)}`);
  return undefined;
}
