import { slotOf } from './ids.js';

/** Called with the new slot and the value of a record that moved. */
export type MovedRecord = (slot: number, value: number) => void;

/**
 * An open-addressing hash table (linear probing) whose slots are the records themselves:
 * slot i holds [key, value] at recs[2i], recs[2i + 1], key −1 when empty. A lookup costs one
 * cache miss (the slot is the record), which on large traces matters more than anything else.
 * Keys are integers in [0, 2^53 − 1] (callers validate them); values are numbers owned by the
 * caller. Records move when the table grows and when a deletion shifts its probe run back,
 * so callers that point at slots pass `moved` to fix their pointers.
 */
export class RecordTable {
  recs: Float64Array<ArrayBuffer>;
  bits: number;
  mask: number;
  /** Live records. */
  size = 0;
  /** Live records allowed before the table doubles. */
  limit: number;
  readonly maxLoad: number;

  constructor(initialCapacity: number, maxLoad: number) {
    this.maxLoad = maxLoad;
    this.bits = Math.max(4, Math.ceil(Math.log2(Math.max(2, initialCapacity) / maxLoad)));
    this.mask = (1 << this.bits) - 1;
    this.recs = new Float64Array(2 << this.bits).fill(-1);
    this.limit = Math.floor((this.mask + 1) * maxLoad);
  }

  /** Records that fit before the table doubles. */
  get capacity(): number {
    return this.limit;
  }

  get slotCount(): number {
    return this.mask + 1;
  }

  get byteLength(): number {
    return this.recs.byteLength;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  probe(key: number): number {
    const recs = this.recs;
    const mask = this.mask;
    let i = slotOf(key, this.bits) & mask;
    for (;;) {
      const k = recs[2 * i]!;
      if (k === key || k === -1) return i;
      i = (i + 1) & mask;
    }
  }

  /** Stores a new record in the empty slot `slot` (from probe; call `grow` first if full). */
  insertAt(slot: number, key: number, value: number): void {
    this.recs[2 * slot] = key;
    this.recs[2 * slot + 1] = value;
    this.size++;
  }

  /** True when one more record needs a bigger table. */
  get full(): boolean {
    return this.size >= this.limit;
  }

  /** Doubles the table; every record moves, and `moved` is told where each went. */
  grow(moved?: MovedRecord): void {
    const old = this.recs;
    this.bits++;
    this.mask = (1 << this.bits) - 1;
    this.limit = Math.floor((this.mask + 1) * this.maxLoad);
    const recs = new Float64Array(2 << this.bits).fill(-1);
    const mask = this.mask;
    for (let j = 0; j < old.length; j += 2) {
      const key = old[j]!;
      if (key === -1) continue;
      let i = slotOf(key, this.bits) & mask;
      while (recs[2 * i] !== -1) i = (i + 1) & mask;
      recs[2 * i] = key;
      recs[2 * i + 1] = old[j + 1]!;
    }
    this.recs = recs;
    if (moved !== undefined) {
      for (let i = 0; i <= mask; i++) if (recs[2 * i] !== -1) moved(i, recs[2 * i + 1]!);
    }
  }

  /** Empties `slot`, shifting later records of its probe run back (no tombstones). */
  deleteAt(slot: number, moved?: MovedRecord): void {
    const recs = this.recs;
    const mask = this.mask;
    const bits = this.bits;
    let i = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      const key = recs[2 * j]!;
      if (key === -1) break;
      const home = slotOf(key, bits) & mask;
      // The record at j may fill the hole at i if i lies cyclically in [home, j).
      if (((j - home) & mask) >= ((j - i) & mask)) {
        recs[2 * i] = key;
        recs[2 * i + 1] = recs[2 * j + 1]!;
        moved?.(i, recs[2 * i + 1]!);
        i = j;
      }
    }
    recs[2 * i] = -1;
    recs[2 * i + 1] = -1;
    this.size--;
  }
}
