/**
 * Intrusive circular doubly linked lists over index arrays — the kernel's `list_head`
 * with frame numbers for pointers. A list head is a sentinel index past the last frame, so
 * `next[head] === head` means empty. One pair of arrays serves every list a frame can be on
 * (an LRU list or a buddy free list, never both), as `page->lru` does in the kernel.
 */

/** list_add: inserts `node` right after `head` (at the head of the list). */
export function listAdd(next: Int32Array, prev: Int32Array, node: number, head: number): void {
  const first = next[head]!;
  next[node] = first;
  prev[node] = head;
  prev[first] = node;
  next[head] = node;
}

/** list_add_tail: inserts `node` right before `head` (at the tail of the list). */
export function listAddTail(next: Int32Array, prev: Int32Array, node: number, head: number): void {
  const last = prev[head]!;
  next[node] = head;
  prev[node] = last;
  next[last] = node;
  prev[head] = node;
}

/** list_del: unlinks `node` and poisons its links with -1. */
export function listDel(next: Int32Array, prev: Int32Array, node: number): void {
  const n = next[node]!;
  const p = prev[node]!;
  next[p] = n;
  prev[n] = p;
  next[node] = -1;
  prev[node] = -1;
}

/** list_move: unlinks `node` and adds it at the head of `head`. */
export function listMove(next: Int32Array, prev: Int32Array, node: number, head: number): void {
  listDel(next, prev, node);
  listAdd(next, prev, node, head);
}

/** Makes `head` an empty list. */
export function listInit(next: Int32Array, prev: Int32Array, head: number): void {
  next[head] = head;
  prev[head] = head;
}
