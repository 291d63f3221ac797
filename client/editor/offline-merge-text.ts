/**
 * The words of the "While you were offline" note, as a pure function of what a reconnect merged.
 * DOM-free.
 */

export interface MergedChanges {
  /** Changes by other people the reconnect brought in (runs of inserted content). */
  readonly changes: number;
  /** The names of the people whose changes arrived and who are known (present now). */
  readonly names: readonly string[];
  /** How many other writers arrived whose names are not known (they are not here now). */
  readonly unnamed: number;
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * "While you were offline, Ann and Bob made 4 changes; they are merged with yours." Null when
 * nothing of other people's arrived.
 */
export function offlineMergeText(merged: MergedChanges): string | null {
  if (merged.changes <= 0) return null;
  const people = [...merged.names];
  if (merged.unnamed === 1) people.push(people.length === 0 ? 'someone' : 'one other person');
  else if (merged.unnamed > 1) people.push(people.length === 0 ? `${merged.unnamed} people` : `${merged.unnamed} other people`);
  const who = people.length === 0 ? 'others' : joinNames(people);
  const changes = merged.changes === 1 ? '1 change' : `${merged.changes} changes`;
  return `While you were offline, ${who} made ${changes}; they are merged with yours.`;
}
