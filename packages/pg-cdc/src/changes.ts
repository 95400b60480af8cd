import type { CdcChange, CdcMessage } from './types.js';

/** The parsed pgoutput shapes the replay reads (pg-logical-replication's, narrowed). */
export interface RelationLike {
  readonly schema: string;
  readonly name: string;
}
export type Parsed =
  | { tag: 'insert'; relation: RelationLike; new: Record<string, unknown> }
  | { tag: 'update'; relation: RelationLike; key: Record<string, unknown> | null; old: Record<string, unknown> | null; new: Record<string, unknown> }
  | { tag: 'delete'; relation: RelationLike; key: Record<string, unknown> | null; old: Record<string, unknown> | null }
  | { tag: 'truncate'; relations: (RelationLike | undefined)[] }
  | { tag: 'message'; transactional: boolean; prefix: string; content: Uint8Array }
  | { tag: 'relation' | 'type' };

/** Appends one parsed row / logical message to a chunk's changes or messages. */
export function addParsed(parsed: Parsed, changes: CdcChange[], messages: CdcMessage[]): void {
  switch (parsed.tag) {
    case 'insert':
      changes.push(change('insert', parsed.relation, parsed.new, null, null));
      return;
    case 'update':
      changes.push(change('update', parsed.relation, parsed.new, parsed.old, parsed.key));
      return;
    case 'delete':
      changes.push(change('delete', parsed.relation, null, parsed.old, parsed.key));
      return;
    case 'truncate':
      for (const relation of parsed.relations) if (relation) changes.push(change('truncate', relation, null, null, null));
      return;
    case 'message':
      messages.push({ prefix: parsed.prefix, content: parsed.content });
      return;
    default:
      return;
  }
}

function change(
  op: CdcChange['op'],
  relation: RelationLike,
  row: Record<string, unknown> | null,
  old: Record<string, unknown> | null,
  key: Record<string, unknown> | null,
): CdcChange {
  return { op, schema: relation.schema, table: relation.name, new: row, old, key };
}
