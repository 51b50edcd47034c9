import { InvalidOptionError, InvalidPageError, TrackerStateError } from './errors.js';
import { GroupHits } from './group-hits.js';
import type { HitRatioCurve } from './hit-ratio-curve.js';
import { isPageId } from './internal/ids.js';
import { RecordTable } from './internal/record-table.js';
import { TimeMarks } from './internal/time-marks.js';

/**
 * What the tracker needs from its host — and all it uses. A kernel implements it over page
 * table entries; {@link TraceHost} over simulated bits. The methods must not call back into
 * the tracker.
 */
export interface TrackerPort {
  /** Reads and clears the entity's reference bit(s); true if it was referenced. */
  testAndClearReferenced(id: number): boolean;
  /** Arms the entity so that its next access takes a fake fault. */
  protect(id: number): void;
  /** Disarms the entity: accesses proceed and set the reference bit. */
  unprotect(id: number): void;
}

export interface CvhrcTrackerOptions {
  /** Entities at the head of the LRU list that are scanned instead of protected. Default 8192. */
  readonly scanListSize?: number;
  /** LRU positions per hit counter. Default 256. */
  readonly groupSize?: number;
  /**
   * Nodes to make room for at first (rounded up to a power of two; grows by doubling).
   * Default 8192. The protection-time array holds twice as many times; a small value makes
   * its compaction frequent, which tests use.
   */
  readonly initialCapacity?: number;
}

/** The paper's scan-list size, chosen there by a pilot study. */
export const DEFAULT_SCAN_LIST_SIZE = 8192;
/** Default pages per group: 1 MiB of 4 KiB pages; 32 groups over the default scan list. */
export const DEFAULT_GROUP_SIZE = 256;

/** Work done by a tracker, for a host to charge time for. All counts since creation or `resetCounters()`. */
export interface TrackerCounters {
  /** First touches (misses): an entity inserted at the MRU end. */
  readonly firstTouches: number;
  /** Fake faults taken on protected entities. */
  readonly fakeFaults: number;
  /** Calls to `scan()`. */
  readonly scans: number;
  /** Scan-list entities whose reference bit was tested. */
  readonly entitiesScanned: number;
  /** Tested entities that had been referenced. */
  readonly referencesFound: number;
  /** Entities moved to the MRU end (fake faults and scan hits not already there). */
  readonly listMoves: number;
  /**
   * Group boundary-marker shifts that a list with one marker per group (Zhou et al.) performs
   * for the same insertions and moves: a move from group g shifts g markers, an insertion
   * shifts every marker. Removals are not included. See the README for why positions are
   * computed differently here.
   */
  readonly markerShifts: number;
  /** Calls to `port.protect`. */
  readonly protects: number;
  /** Calls to `port.unprotect`. */
  readonly unprotects: number;
  /** Entities removed. */
  readonly removes: number;
  /** Compactions of the protection-time tree. */
  readonly compactions: number;
}

type MutableCounters = { -readonly [K in keyof TrackerCounters]: number };

/** One part of a tracker's memory. */
export interface TrackerSpacePart {
  readonly name: string;
  /** Bytes allocated now. */
  readonly bytes: number;
  /** True for a part whose size follows the node capacity. */
  readonly perNode: boolean;
}

/** The bytes of a tracker's typed arrays, to set beside the paper's Table 2. */
export interface TrackerSpaceReport {
  /** Parts whose size is fixed when the tracker is created: the scan list's slots. */
  readonly staticBytes: number;
  /**
   * Bytes per node of capacity across the parts that grow with the list (the hash table of
   * node records, the protection-time arrays, the hit counters). Capacity doubles, so per
   * live node it is up to twice this just after a doubling.
   */
  readonly bytesPerNode: number;
  /** Nodes the structures hold before they double. */
  readonly nodeCapacity: number;
  /** Live nodes (tracked entities). */
  readonly nodes: number;
  /** bytesPerNode × nodeCapacity. */
  readonly nodeBytes: number;
  /** staticBytes + nodeBytes. */
  readonly totalBytes: number;
  readonly parts: readonly TrackerSpacePart[];
}

/** Highest load of the tracker's hash table before it doubles. */
const MAX_LOAD = 0.7;

/**
 * The CvHRC tracker of one container (Kim & Noh; after Zhou et al., ASPLOS 2004).
 *
 * An LRU list of entities — integer ids in [0, 2^53 − 1] given by the host — with a hash table
 * from id to node. The first `scanListSize` entities from the MRU end form the scan list; all
 * others are protected through the port, so that their next access takes a fake fault. Hits
 * are counted per group of `groupSize` consecutive LRU positions (position 0 is the MRU end).
 *
 * Events:
 * - {@link firstTouch}: a miss; the entity is inserted at the MRU end; the entity this pushes
 *   out of the scan list is protected.
 * - {@link fakeFault}: a hit at the protected entity's group; it moves to the MRU end and is
 *   unprotected; the entity pushed out of the scan list is protected.
 * - {@link scan}: walks the scan list from its LRU end toward the MRU end; each entity whose
 *   reference bit was set (test-and-clear through the port) counts a hit at its current
 *   group and moves to the MRU end. Walking from the LRU end, moved entities are never met
 *   again in the same scan and referenced entities keep their relative order; an entity's
 *   current position is its position before the scan plus the entities moved so far.
 * - {@link remove}: the entity leaves the list; if it was in the scan list and protected
 *   entities exist, the first of them enters the scan list (at its LRU end) and is unprotected.
 *
 * Structures (see the README for the reasoning and the byte counts):
 * - The nodes are the records of an open-addressing hash table keyed by entity id: a record is
 *   [id, link] in a Float64Array, so finding an entity's node costs one cache miss.
 * - The scan list is a doubly linked list (Int32Array prev/next) over scan-list slots, each
 *   holding its entity's id and node, so that a scan touches only these arrays and the port.
 * - The protected part only ever gains entities at its head (the one that fell out of the
 *   scan list last) and loses them anywhere, so its order is the order of protection times:
 *   a node's link is its protection time, a bitmap marks the live times (with a Fenwick tree
 *   over its 32-bit words) and an array maps each time back to its node. A protected entity's
 *   LRU position is the scan-list size plus the live times after its own, in O(log n). This
 *   gives exactly the groups that one boundary marker per group (Zhou et al.) gives, without
 *   O(groups) marker updates per move; the shifts such markers would make are still counted
 *   ({@link TrackerCounters.markerShifts}) so that a host can charge them.
 *
 * The hot paths (`firstTouch`, `fakeFault`, `scan`, `remove`) allocate nothing except when
 * the table grows.
 */
export class CvhrcTracker {
  /** Entities scanned instead of protected. */
  readonly scanListSize: number;
  /** LRU positions per hit counter. */
  readonly groupSize: number;
  /** Work counters (a live view; copy with `{ ...tracker.counters }`). */
  readonly counters: TrackerCounters;

  private readonly port: TrackerPort;
  private readonly c: MutableCounters;

  /**
   * Nodes: slot x of the table holds [entity id, link]. link ≥ 0 is the protection time of
   * a protected entity; link < 0 is −(scan slot + 1) for an entity in the scan list.
   */
  private readonly table: RecordTable;

  // Scan list: doubly linked over slots; sId holds each slot's entity id, so that a scan
  // reads nothing but these arrays and the port.
  private sPrev = new Int32Array(0);
  private sNext = new Int32Array(0);
  private sId = new Float64Array(0);
  /** Each slot's node, so that the entity falling out is reached without a lookup. */
  private sNode = new Int32Array(0);
  private sHead = -1;
  private sTail = -1;
  private scanLen = 0;
  /** Scan slots never used (all below are used or on the free stack). */
  private sFresh = 0;
  /** Free scan slots, chained through sNext. */
  private sFree = -1;

  // Protected part in protection-time order.
  private marks = new TimeMarks(32);
  private timeToNode = new Int32Array(0);
  /** Latest protection time handed out (−1: none). */
  private clock = -1;
  private protectedCount = 0;

  private hits = new Float64Array(0);
  private misses = 0;

  constructor(port: TrackerPort, options: CvhrcTrackerOptions = {}) {
    const scanListSize = options.scanListSize ?? DEFAULT_SCAN_LIST_SIZE;
    const groupSize = options.groupSize ?? DEFAULT_GROUP_SIZE;
    const initial = options.initialCapacity ?? DEFAULT_SCAN_LIST_SIZE;
    checkInteger('scanListSize', scanListSize, 1);
    checkInteger('groupSize', groupSize, 1);
    checkInteger('initialCapacity', initial, 1);
    this.port = port;
    this.scanListSize = scanListSize;
    this.groupSize = groupSize;
    this.c = {
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
      compactions: 0,
    };
    this.counters = this.c;
    this.table = new RecordTable(initial, MAX_LOAD);
    this.fitToTable();
  }

  /** Tracked entities. */
  get size(): number {
    return this.table.size;
  }

  /** Entities in the scan list (min(size, scanListSize)). */
  get scanListLength(): number {
    return this.scanLen;
  }

  /** Protected entities. */
  get protectedEntities(): number {
    return this.protectedCount;
  }

  /** True if `id` is tracked. */
  has(id: number): boolean {
    return isPageId(id) && this.table.recs[2 * this.table.probe(id)] === id;
  }

  /** True if `id` is tracked and protected. */
  isProtected(id: number): boolean {
    if (!isPageId(id)) return false;
    const x = this.table.probe(id);
    const recs = this.table.recs;
    return recs[2 * x] === id && recs[2 * x + 1]! >= 0;
  }

  /** The tracked ids in LRU order, MRU first. */
  entities(): Float64Array {
    const recs = this.table.recs;
    const out = new Float64Array(this.table.size);
    let k = 0;
    for (let s = this.sHead; s >= 0; s = this.sNext[s]!) out[k++] = this.sId[s]!;
    for (let t = this.clock; t >= 0; t--) {
      if (this.marks.has(t)) out[k++] = recs[2 * this.timeToNode[t]!]!;
    }
    return out;
  }

  /**
   * A first touch of `id` (a miss): inserts it at the MRU end, unprotected. Throws
   * {@link TrackerStateError} if `id` is already tracked.
   */
  firstTouch(id: number): void {
    if (!isPageId(id)) throw new InvalidPageError(id);
    const table = this.table;
    let x = table.probe(id);
    if (table.recs[2 * x] === id) {
      throw new TrackerStateError(id, 'first touch of an entity that is already tracked');
    }
    if (table.full) {
      table.grow(this.moved);
      this.fitToTable();
      x = table.probe(id);
    }
    const c = this.c;
    c.firstTouches++;
    this.misses++;
    const n = table.size;
    if (n > 0) c.markerShifts += Math.ceil(n / this.groupSize) - 1;
    let s: number;
    if (this.scanLen < this.scanListSize) {
      this.scanLen++;
      s = this.sFree;
      if (s >= 0) this.sFree = this.sNext[s]!;
      else s = this.sFresh++;
    } else {
      s = this.sTail;
      this.unlinkSlot(s);
      this.protectNode(this.sNode[s]!, this.sId[s]!);
    }
    table.insertAt(x, id, -(s + 1));
    this.sId[s] = id;
    this.sNode[s] = x;
    this.pushHeadSlot(s);
  }

  /**
   * A fake fault on the protected entity `id`: counts a hit at its group, moves it to the MRU
   * end, unprotects it and protects the entity pushed out of the scan list. Throws
   * {@link TrackerStateError} if `id` is not tracked or not protected.
   */
  fakeFault(id: number): void {
    const recs = this.table.recs;
    const x = isPageId(id) ? this.table.probe(id) : 0;
    const t0 = recs[2 * x] === id ? recs[2 * x + 1]! : -1;
    if (t0 < 0) {
      throw new TrackerStateError(
        id,
        recs[2 * x] === id
          ? 'fake fault on an unprotected entity'
          : 'fake fault on an untracked entity',
      );
    }
    const marks = this.marks;
    const clock = this.clock;
    // Position: the full scan list, then the entities protected after this one.
    const ahead = t0 < clock ? marks.count(t0 + 1, clock) : 0;
    const g = Math.floor((this.scanListSize + ahead) / this.groupSize);
    this.hits[g]!++;
    const c = this.c;
    c.fakeFaults++;
    c.markerShifts += g;
    c.listMoves++;
    // x takes the scan slot of the entity that falls out.
    const s = this.sTail;
    const fallenId = this.sId[s]!;
    const fallen = this.sNode[s]!;
    this.unlinkSlot(s);
    this.sId[s] = id;
    this.sNode[s] = x;
    recs[2 * x + 1] = -(s + 1);
    this.pushHeadSlot(s);
    let t: number;
    if (clock + 1 < marks.cap) {
      t = clock + 1;
      marks.move(t0, t);
    } else {
      marks.clear(t0);
      this.protectedCount--;
      this.compact();
      t = this.clock + 1;
      this.marks.set(t);
      this.protectedCount++;
    }
    this.clock = t;
    this.timeToNode[t] = fallen;
    recs[2 * fallen + 1] = t;
    c.unprotects++;
    c.protects++;
    this.port.unprotect(id);
    this.port.protect(fallenId);
  }

  /**
   * The periodic scan: for each scan-list entity, from the LRU end toward the MRU end, tests
   * and clears its reference bit through the port; if it was set, counts a hit at the
   * entity's current group and moves it to the MRU end.
   */
  scan(): void {
    const c = this.c;
    c.scans++;
    const port = this.port;
    const sPrev = this.sPrev;
    const sId = this.sId;
    const hits = this.hits;
    const groupSize = this.groupSize;
    const count = this.scanLen;
    let s = this.sTail;
    let moved = 0;
    let found = 0;
    let shifts = 0;
    for (let k = count - 1; k >= 0; k--) {
      const before = sPrev[s]!;
      if (port.testAndClearReferenced(sId[s]!)) {
        // Entities moved earlier in this scan were all behind this one.
        const pos = k + moved;
        const g = Math.floor(pos / groupSize);
        hits[g]!++;
        shifts += g;
        found++;
        if (pos > 0) {
          this.unlinkSlot(s);
          this.pushHeadSlot(s);
          moved++;
        }
      }
      s = before;
    }
    c.entitiesScanned += count;
    c.referencesFound += found;
    c.listMoves += moved;
    c.markerShifts += shifts;
  }

  /**
   * Removes `id` (its page was freed or unmapped). If it was in the scan list and protected
   * entities exist, the first protected entity enters the scan list and is unprotected.
   * Returns false if `id` was not tracked.
   */
  remove(id: number): boolean {
    if (!isPageId(id)) return false;
    const table = this.table;
    const x = table.probe(id);
    const recs = table.recs;
    if (recs[2 * x] !== id) return false;
    const c = this.c;
    c.removes++;
    const link = recs[2 * x + 1]!;
    if (link >= 0) {
      this.marks.clear(link);
      this.protectedCount--;
    } else {
      const s = -link - 1;
      this.unlinkSlot(s);
      if (this.protectedCount > 0) {
        // The most recently protected entity is the first one behind the scan list.
        const t = this.marks.highestAtOrBelow(this.clock);
        const newcomer = this.timeToNode[t]!;
        this.marks.clear(t);
        this.protectedCount--;
        this.clock = t - 1; // nothing live above t: reuse those times
        this.sId[s] = recs[2 * newcomer]!;
        this.sNode[s] = newcomer;
        recs[2 * newcomer + 1] = -(s + 1);
        this.pushTailSlot(s);
        c.unprotects++;
        this.port.unprotect(recs[2 * newcomer]!);
      } else {
        this.sNext[s] = this.sFree;
        this.sFree = s;
        this.scanLen--;
      }
    }
    table.deleteAt(x, this.moved);
    return true;
  }

  /** Starts a new measuring window: hit counters and misses back to 0 (the list is kept). */
  resetWindow(): void {
    this.hits.fill(0);
    this.misses = 0;
  }

  /** Zeroes the work counters. */
  resetCounters(): void {
    for (const k of Object.keys(this.c) as (keyof MutableCounters)[]) this.c[k] = 0;
  }

  /**
   * The hit counts and misses of the current window. Take one now and one later and use
   * `later.minus(earlier)` for the window between them (for example the paper's curves at 1
   * and 2 minutes).
   */
  snapshot(): GroupHits {
    let n = this.hits.length;
    while (n > 0 && this.hits[n - 1] === 0) n--;
    n = Math.max(n, Math.ceil(this.table.size / this.groupSize));
    return new GroupHits(this.groupSize, this.hits.subarray(0, n), this.misses);
  }

  /** The curve of the current window; see {@link GroupHits.curve}. */
  curve(sizes?: ArrayLike<number>): HitRatioCurve {
    return this.snapshot().curve(sizes);
  }

  /** Bytes of the tracker's typed arrays: static (created with it) and per node. */
  spaceReport(): TrackerSpaceReport {
    const capacity = this.table.capacity;
    const parts: TrackerSpacePart[] = [
      {
        name: 'scan list: prev, next, node (Int32Array) and entity id (Float64Array) per slot',
        bytes:
          this.sPrev.byteLength +
          this.sNext.byteLength +
          this.sNode.byteLength +
          this.sId.byteLength,
        perNode: false,
      },
      {
        name: 'hit counter per group of positions (Float64Array, 8 B per groupSize nodes)',
        bytes: this.hits.byteLength,
        perNode: true,
      },
      {
        name: `nodes = hash table: [id, link] per slot (Float64Array, load ≤ ${MAX_LOAD})`,
        bytes: this.table.byteLength,
        perNode: true,
      },
      {
        name: 'protection time → node (Int32Array, 2 times per node)',
        bytes: this.timeToNode.byteLength,
        perNode: true,
      },
      {
        name: 'live-time bitmap + Fenwick tree over its words (2 × Int32Array)',
        bytes: this.marks.byteLength,
        perNode: true,
      },
    ];
    let staticBytes = 0;
    let nodeBytes = 0;
    for (const p of parts) {
      if (p.perNode) nodeBytes += p.bytes;
      else staticBytes += p.bytes;
    }
    return {
      staticBytes,
      bytesPerNode: nodeBytes / capacity,
      nodeCapacity: capacity,
      nodes: this.table.size,
      nodeBytes,
      totalBytes: staticBytes + nodeBytes,
      parts,
    };
  }

  /**
   * Checks the internal invariants (scan-list links, protection order, hash table, counts)
   * and throws an Error naming the first broken one. For tests and debugging; O(n).
   */
  checkInvariants(): void {
    const fail = (what: string): never => {
      throw new Error(`CvhrcTracker invariant broken: ${what}`);
    };
    const table = this.table;
    const recs = table.recs;
    let n = 0;
    let p = -1;
    for (let s = this.sHead; s >= 0; s = this.sNext[s]!) {
      if (this.sPrev[s] !== p) fail(`prev of scan slot ${s}`);
      const x = this.sNode[s]!;
      if (recs[2 * x] !== this.sId[s]) fail(`scan slot ${s}: id and node disagree`);
      if (table.probe(this.sId[s]!) !== x) fail(`hash position of node ${x}`);
      if (recs[2 * x + 1] !== -(s + 1)) fail(`link of scan node ${x}`);
      p = s;
      if (++n > this.scanListSize) fail('scan list longer than its size');
    }
    if (p !== this.sTail) fail('scan tail');
    if (n !== this.scanLen) fail(`scanLen ${this.scanLen} but ${n} in the scan list`);
    let prot = 0;
    for (let t = 0; t <= this.clock; t++) {
      if (!this.marks.has(t)) continue;
      const x = this.timeToNode[t]!;
      if (recs[2 * x + 1] !== t) fail(`protection time of node ${x}`);
      if (table.probe(recs[2 * x]!) !== x) fail(`hash position of node ${x}`);
      prot++;
    }
    if (this.marks.highestAtOrBelow(this.marks.cap - 1) > this.clock) fail('mark above the clock');
    if (prot !== this.protectedCount) fail('protectedCount');
    if (prot > 0 && n !== this.scanListSize) fail('protected entities behind a short scan list');
    if (n + prot !== table.size) fail(`size ${table.size} but ${n + prot} listed`);
    if (prot > 0 && this.marks.count(0, this.clock) !== prot) fail('Fenwick count');
    let used = 0;
    for (let i = 0; i < table.slotCount; i++) if (recs[2 * i] !== -1) used++;
    if (used !== table.size) fail('table size');
  }

  // ---- internals ----------------------------------------------------------------------

  /** Fixes the pointer to a node that the hash table moved to `slot`. */
  private readonly moved = (slot: number, link: number): void => {
    if (link >= 0) this.timeToNode[link] = slot;
    else this.sNode[-link - 1] = slot;
  };

  private pushHeadSlot(s: number): void {
    const h = this.sHead;
    this.sPrev[s] = -1;
    this.sNext[s] = h;
    if (h >= 0) this.sPrev[h] = s;
    else this.sTail = s;
    this.sHead = s;
  }

  private pushTailSlot(s: number): void {
    const t = this.sTail;
    this.sNext[s] = -1;
    this.sPrev[s] = t;
    if (t >= 0) this.sNext[t] = s;
    else this.sHead = s;
    this.sTail = s;
  }

  private unlinkSlot(s: number): void {
    const p = this.sPrev[s]!;
    const q = this.sNext[s]!;
    if (p >= 0) this.sNext[p] = q;
    else this.sHead = q;
    if (q >= 0) this.sPrev[q] = p;
    else this.sTail = p;
  }

  /** Protects node x (entity `id`), which just fell out of the scan list. */
  private protectNode(x: number, id: number): void {
    if (this.clock + 1 === this.marks.cap) this.compact();
    const t = ++this.clock;
    this.marks.set(t);
    this.timeToNode[t] = x;
    this.table.recs[2 * x + 1] = t;
    this.protectedCount++;
    this.c.protects++;
    this.port.protect(id);
  }

  /** Renumbers the live protection times 0..protectedCount − 1 in order. */
  private compact(): void {
    this.c.compactions++;
    this.renumberInto(this.marks, this.timeToNode);
  }

  /** Moves the live protection times, in order, to 0..k − 1 of `marks` / `timeToNode`. */
  private renumberInto(marks: TimeMarks, timeToNode: Int32Array<ArrayBuffer>): void {
    const bits = this.marks.bits;
    const from = this.timeToNode;
    const recs = this.table.recs;
    let k = 0;
    if (this.clock >= 0) {
      for (let w = 0; w <= this.clock >>> 5; w++) {
        let x = bits[w]!;
        while (x !== 0) {
          const t = (w << 5) | (31 - Math.clz32(x & -x));
          x &= x - 1;
          const node = from[t]!;
          timeToNode[k] = node;
          recs[2 * node + 1] = k++;
        }
      }
    }
    if (k !== this.protectedCount) {
      throw new Error(`CvhrcTracker: ${k} protected nodes but ${this.protectedCount} counted`);
    }
    marks.fillFirst(k);
    this.marks = marks;
    this.timeToNode = timeToNode;
    this.clock = k - 1;
  }

  /** Sizes the scan list, the protection times and the hit counters to the table's capacity. */
  private fitToTable(): void {
    const capacity = this.table.capacity;
    const scanCap = Math.min(this.scanListSize, capacity);
    if (scanCap > this.sPrev.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(scanCap);
        b.set(a);
        return b;
      };
      this.sPrev = grow(this.sPrev);
      this.sNext = grow(this.sNext);
      this.sNode = grow(this.sNode);
      const sId = new Float64Array(scanCap);
      sId.set(this.sId);
      this.sId = sId;
    }
    const marks = new TimeMarks(2 * capacity);
    this.renumberInto(marks, new Int32Array(marks.cap));
    const groups = Math.ceil(capacity / this.groupSize) + 1;
    if (groups > this.hits.length) {
      const hits = new Float64Array(groups);
      hits.set(this.hits);
      this.hits = hits;
    }
  }
}

function checkInteger(option: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(option, `must be an integer ≥ ${min}, got ${String(value)}`);
  }
}
