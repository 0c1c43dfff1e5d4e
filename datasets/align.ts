/**
 * Putting a second file's ratings into a first one's index space.
 *
 * Two files loaded separately (ml-100k's u1.base and u1.test, or a training set and a test
 * file given to `train --test` / `eval`) each get their own dense ids: index 7 is not the
 * same user in both. `alignTo(test, train)` maps every test row through the raw ids to the
 * training indices. Users or items the training data never saw become -1: a model has no
 * row for them, so evaluation predicts them with a fallback (the training mean plus the
 * bias that is known; see models/rating-eval.ts) rather than dropping them, which would
 * flatter the RMSE.
 */
import type { IdMap } from './idmap.js';
import type { InteractionData } from './types.js';

/** Rows in the training index space; -1 marks a user or item the training data lacks. */
export interface AlignedRatings {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  /** rows whose user is unknown to the training data */
  unknownUsers: number;
  /** rows whose item is unknown to the training data */
  unknownItems: number;
}

/** A data set with its id maps (what a loader returns). */
export interface WithIds extends InteractionData {
  userIds: IdMap;
  itemIds: IdMap;
}

/** Maps `from`'s rows into `to`'s user and item indices (through the raw ids). */
export function alignTo(from: WithIds, to: { userIds: IdMap; itemIds: IdMap }): AlignedRatings {
  const through = (f: IdMap, t: IdMap) => Int32Array.from(f.raw, (raw) => t.toIndex(raw));
  return remap(from, through(from.userIds, to.userIds), through(from.itemIds, to.itemIds));
}

/** The same, with the target's raw ids as lists (a checkpoint's meta.userIds / itemIds). */
export function alignRaw(from: WithIds, userIds: ArrayLike<number | string>, itemIds: ArrayLike<number | string>): AlignedRatings {
  const through = (f: IdMap, ids: ArrayLike<number | string>) => {
    const m = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) m.set(String(ids[i]), i);
    return Int32Array.from(f.raw, (raw) => m.get(String(raw)) ?? -1);
  };
  return remap(from, through(from.userIds, userIds), through(from.itemIds, itemIds));
}

function remap(from: InteractionData, userOf: Int32Array, itemOf: Int32Array): AlignedRatings {
  const n = from.ratings.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  let unknownUsers = 0;
  let unknownItems = 0;
  for (let e = 0; e < n; e++) {
    users[e] = userOf[from.users[e]];
    items[e] = itemOf[from.items[e]];
    if (users[e] < 0) unknownUsers++;
    if (items[e] < 0) unknownItems++;
  }
  return { users, items, ratings: from.ratings, unknownUsers, unknownItems };
}
