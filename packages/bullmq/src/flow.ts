/** A FlowProducer node as the plugin sees it. */
interface FlowNode {
  opts?: object;
  children?: FlowNode[];
}

/**
 * BullMQ stores a node's trace carrier only when the node has `opts`; a copy of the tree where
 * every node has them (an empty object at least) lets each job carry its creation context. The
 * caller's objects are not changed.
 */
export function withNodeOptions<T>(node: T): T {
  if (node === null || typeof node !== 'object') return node;
  const source = node as FlowNode;
  const copy: FlowNode = { ...source, opts: source.opts ?? {} };
  if (Array.isArray(source.children)) copy.children = source.children.map(withNodeOptions);
  return copy as T;
}
