import type { TrackerPort } from '@cvhrc/core';

/** Mattson's LRU stack, the obvious way: distance = 1-based position, Infinity if absent. */
export function naiveStackDistances(pages: readonly number[]): number[] {
  const stack: number[] = [];
  const out: number[] = [];
  for (const p of pages) {
    const i = stack.indexOf(p);
    if (i < 0) {
      out.push(Infinity);
    } else {
      out.push(i + 1);
      stack.splice(i, 1);
    }
    stack.unshift(p);
  }
  return out;
}

/** A port that records its calls and keeps reference and protection bits in sets. */
export class RecordingPort implements TrackerPort {
  readonly referenced = new Set<number>();
  readonly protectedIds = new Set<number>();
  readonly log: string[] = [];

  testAndClearReferenced(id: number): boolean {
    const was = this.referenced.delete(id);
    if (was) this.log.push(`ref ${id}`);
    return was;
  }

  protect(id: number): void {
    this.log.push(`protect ${id}`);
    this.protectedIds.add(id);
    this.referenced.delete(id);
  }

  unprotect(id: number): void {
    this.log.push(`unprotect ${id}`);
    this.protectedIds.delete(id);
  }
}

/**
 * The CvHRC tracker's rules on a plain array (MRU first), positions found by indexOf. The
 * reference the optimised tracker is checked against.
 */
export class NaiveTracker {
  readonly list: number[] = [];
  readonly hits: number[] = [];
  misses = 0;
  readonly counters = {
    firstTouches: 0,
    fakeFaults: 0,
    scans: 0,
    entitiesScanned: 0,
    referencesFound: 0,
    listMoves: 0,
    markerShifts: 0,
    protects: 0,
    unprotects: 0,
    removes: 0,
  };

  constructor(
    readonly port: TrackerPort,
    readonly scanListSize: number,
    readonly groupSize: number,
  ) {}

  private hit(pos: number): void {
    const g = Math.floor(pos / this.groupSize);
    while (this.hits.length <= g) this.hits.push(0);
    this.hits[g]!++;
    this.counters.markerShifts += g;
  }

  private protectFallen(): void {
    // After an insertion at the MRU end, the entity at position scanListSize fell out.
    if (this.list.length > this.scanListSize) {
      const id = this.list[this.scanListSize]!;
      this.counters.protects++;
      this.port.protect(id);
    }
  }

  firstTouch(id: number): void {
    this.counters.firstTouches++;
    const n = this.list.length;
    if (n > 0) this.counters.markerShifts += Math.ceil(n / this.groupSize) - 1;
    this.misses++;
    this.list.unshift(id);
    this.protectFallen();
  }

  fakeFault(id: number): void {
    const pos = this.list.indexOf(id);
    if (pos < this.scanListSize) throw new Error('not protected');
    this.counters.fakeFaults++;
    this.counters.listMoves++;
    this.hit(pos);
    this.list.splice(pos, 1);
    this.list.unshift(id);
    this.counters.unprotects++;
    this.counters.protects++;
    this.port.unprotect(id);
    const fallen = this.list[this.scanListSize]!;
    this.port.protect(fallen);
  }

  scan(): void {
    this.counters.scans++;
    const count = Math.min(this.scanListSize, this.list.length);
    const order = this.list.slice(0, count).reverse(); // LRU end of the scan list first
    this.counters.entitiesScanned += count;
    for (const id of order) {
      if (this.port.testAndClearReferenced(id)) {
        this.counters.referencesFound++;
        const pos = this.list.indexOf(id);
        this.hit(pos);
        if (pos > 0) {
          this.counters.listMoves++;
          this.list.splice(pos, 1);
          this.list.unshift(id);
        }
      }
    }
  }

  remove(id: number): boolean {
    const pos = this.list.indexOf(id);
    if (pos < 0) return false;
    this.counters.removes++;
    this.list.splice(pos, 1);
    if (pos < this.scanListSize && this.list.length >= this.scanListSize) {
      const newcomer = this.list[this.scanListSize - 1]!;
      this.counters.unprotects++;
      this.port.unprotect(newcomer);
    }
    return true;
  }

  isProtected(id: number): boolean {
    const pos = this.list.indexOf(id);
    return pos >= this.scanListSize;
  }
}
