/** The saved position of an iterator (resumable training), and its check on restore. */

export interface IteratorState {
  kind: string;
  /** epochs started so far - 1 */
  epoch: number;
  /** position in the epoch's order */
  cursor: number;
  /** the shuffle stream's state when the epoch's order was drawn; null without shuffling */
  epochStart: object | null;
}

/** A saved state, checked: the right kind of iterator, a cursor inside its data. */
export function checkIteratorState(s: unknown, kind: string, length: number): IteratorState {
  const v = s as Partial<IteratorState>;
  const fail = (why: string): never => { throw new Error(`${kind}.restore: ${why} (${JSON.stringify(s)?.slice(0, 120)})`); };
  if (typeof v !== 'object' || v === null || v.kind !== kind) fail(`not a ${kind} state`);
  if (!Number.isSafeInteger(v.epoch) || v.epoch! < 0) fail('epoch is not a count');
  if (!Number.isSafeInteger(v.cursor) || v.cursor! < 0 || v.cursor! > length) fail(`cursor is not a position in its ${length} rows`);
  if (v.epochStart !== null && typeof v.epochStart !== 'object') fail('epochStart is not a stream state');
  return v as IteratorState;
}
