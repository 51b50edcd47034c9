import { InvalidOptionError, InvalidPageError, TrackerStateError } from './errors.js';
import { GroupHits } from './group-hits.js';
import type { HitRatioCurve } from './hit-ratio-curve.js';
import { hashId, isPageId } from './internal/dense-id-map.js';
import { onesTree } from './internal/fenwick.js';

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
  /** Nodes to make room for at first (rounded up to a power of two; grows by doubling). Default 8192. */
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
  /** Bytes per node of capacity, or 0 for a static part. */
  readonly bytesPerNode: number;
}

/** The bytes of a tracker's typed arrays, to set beside the paper's Table 2. */
export interface TrackerSpaceReport {
  /** Parts whose size does not depend on the number of nodes (the hit counters). */
  readonly staticBytes: number;
  /** Bytes per node across all per-node arrays (links, id, protection time, hash, tree). */
  readonly bytesPerNode: number;
  /** Nodes allocated (live plus free). */
  readonly nodeCapacity: number;
  /** Live nodes (tracked entities). */
  readonly nodes: number;
  /** bytesPerNode × nodeCapacity. */
  readonly nodeBytes: number;
  /** staticBytes + nodeBytes. */
  readonly totalBytes: number;
  readonly parts: readonly TrackerSpacePart[];
}

/**
 * The CvHRC tracker of one container (Kim & Noh; after Zhou et al., ASPLOS 2004).
 *
 * An LRU list of entities — integer ids in [0, 2^53 − 1] given by the host — kept as a
 * doubly linked list over typed arrays (Int32Array prev/next, a node pool with a free list,
 * grown by doubling) with an open-addressing hash table from id to node. The first
 * `scanListSize` entities from the MRU end form the scan list; all others are protected
 * through the port, so their next access takes a fake fault. Hits are counted per group of
 * `groupSize` consecutive LRU positions.
 *
 * Events:
 * - {@link firstTouch}: a miss; the entity is inserted at the MRU end; the entity this pushes
 *   out of the scan list is protected.
 * - {@link fakeFault}: a hit at the protected entity's group; it moves to the MRU end and is
 *   unprotected; the entity pushed out of the scan list is protected.
 * - {@link scan}: walks the scan list from its LRU end toward the MRU end; each entity whose
 *   reference bit was set (test-and-clear through the port) counts a hit at its current
 *   group and moves to the MRU end. Walking from the LRU end means moved entities are never
 *   met again in the same scan, and the referenced entities keep their relative order.
 * - {@link remove}: the entity leaves the list; if it was in the scan list and protected
 *   entities exist, the first of them enters the scan list and is unprotected.
 *
 * Positions: a scan-list entity's position is known from the walk. A protected entity's
 * position is the scan-list size plus the number of protected entities ahead of it; since
 * entities only ever enter the protected part at its head, that number comes from a Fenwick
 * tree over protection times in O(log n). This gives exactly the groups that one boundary
 * marker per group would give, without the O(groups) marker updates per move; the marker
 * shifts such a list would do are still counted in {@link TrackerCounters.markerShifts}.
 *
 * The hot paths (`firstTouch`, `fakeFault`, `scan`, `remove`) allocate nothing except when
 * the node pool grows.
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

  private cap = 0;
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private ids = new Float64Array(0);
  /** 0: in the scan list; > 0: protected at this time; −1: free. */
  private ptime = new Int32Array(0);

  /** Hash slots holding node indices (−1: empty); twice the node capacity. */
  private slots = new Int32Array(0);
  private slotMask = 0;
  private slotShift = 0;

  /** Fenwick tree over protection times 1..treeCap (array length treeCap + 1). */
  private tree = new Int32Array(0);
  private treeCap = 0;
  private clock = 0;

  private hits = new Float64Array(0);
  private misses = 0;

  private head = -1;
  private tail = -1;
  /** Last node of the scan list (position min(length, scanListSize) − 1), or −1. */
  private scanTail = -1;
  private scanLen = 0;
  private length = 0;
  private protectedCount = 0;
  private freeHead = -1;
  private fresh = 0;

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
    let cap = 1;
    while (cap < initial) cap *= 2;
    this.resize(cap);
  }

  /** Tracked entities. */
  get size(): number {
    return this.length;
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
    return isPageId(id) && this.find(id) >= 0;
  }

  /** True if `id` is tracked and protected. */
  isProtected(id: number): boolean {
    if (!isPageId(id)) return false;
    const x = this.find(id);
    return x >= 0 && this.ptime[x]! > 0;
  }

  /** The tracked ids in LRU order, MRU first. */
  entities(): Float64Array {
    const out = new Float64Array(this.length);
    let k = 0;
    for (let x = this.head; x >= 0; x = this.next[x]!) out[k++] = this.ids[x]!;
    return out;
  }

  /**
   * A first touch of `id` (a miss): inserts it at the MRU end, unprotected. Throws
   * {@link TrackerStateError} if `id` is already tracked.
   */
  firstTouch(id: number): void {
    if (!isPageId(id)) throw new InvalidPageError(id);
    if (this.freeHead < 0 && this.fresh === this.cap) this.resize(this.cap * 2);
    const slot = this.probe(id);
    if (this.slots[slot]! >= 0) {
      throw new TrackerStateError(id, 'first touch of an entity that is already tracked');
    }
    const c = this.c;
    c.firstTouches++;
    this.misses++;
    const n = this.length;
    if (n > 0) c.markerShifts += Math.ceil(n / this.groupSize) - 1;
    let x = this.freeHead;
    if (x >= 0) this.freeHead = this.next[x]!;
    else x = this.fresh++;
    this.ids[x] = id;
    this.ptime[x] = 0;
    this.slots[slot] = x;
    this.pushHead(x);
    this.length = n + 1;
    if (this.scanLen < this.scanListSize) {
      this.scanLen++;
      if (this.scanLen === 1) this.scanTail = x;
    } else {
      const fallen = this.scanTail;
      this.scanTail = this.prev[fallen]!;
      this.protectNode(fallen);
    }
  }

  /**
   * A fake fault on the protected entity `id`: counts a hit at its group, moves it to the MRU
   * end, unprotects it and protects the entity pushed out of the scan list. Throws
   * {@link TrackerStateError} if `id` is not tracked or not protected.
   */
  fakeFault(id: number): void {
    const x = isPageId(id) ? this.find(id) : -1;
    if (x < 0 || this.ptime[x]! <= 0) {
      throw new TrackerStateError(
        id,
        x < 0 ? 'fake fault on an untracked entity' : 'fake fault on an unprotected entity',
      );
    }
    const tree = this.tree;
    const t0 = this.ptime[x]!;
    const clock = this.clock;
    // Protected entities ahead of x: marks in (t0, clock] = prefix(clock) − prefix(t0).
    let ahead = 0;
    let i = clock;
    let j = t0;
    while (i !== j) {
      if (i > j) {
        ahead += tree[i]!;
        i -= i & -i;
      } else {
        ahead -= tree[j]!;
        j -= j & -j;
      }
    }
    const g = Math.floor((this.scanListSize + ahead) / this.groupSize);
    this.hits[g]!++;
    const c = this.c;
    c.fakeFaults++;
    c.markerShifts += g;
    c.listMoves++;
    this.unlink(x);
    this.pushHead(x);
    this.ptime[x] = 0;
    const fallen = this.scanTail;
    this.scanTail = this.prev[fallen]!;
    const cap = this.treeCap;
    if (clock < cap) {
      // Move the mark from t0 (x) to clock + 1 (fallen): nodes covering both keep their count.
      const t = clock + 1;
      for (i = t0; i < t; i += i & -i) tree[i]!--;
      for (i = t; i <= cap && i - (i & -i) >= t0; i += i & -i) tree[i]!++;
      this.clock = t;
      this.ptime[fallen] = t;
    } else {
      for (i = t0; i <= cap; i += i & -i) tree[i]!--;
      this.protectedCount--;
      this.compact();
      this.mark(fallen);
    }
    c.unprotects++;
    c.protects++;
    this.port.unprotect(id);
    this.port.protect(this.ids[fallen]!);
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
    const prev = this.prev;
    const ids = this.ids;
    const hits = this.hits;
    const groupSize = this.groupSize;
    const count = this.scanLen;
    let cur = this.scanTail;
    let moved = 0;
    let shifts = 0;
    for (let k = count - 1; k >= 0; k--) {
      const before = prev[cur]!;
      if (port.testAndClearReferenced(ids[cur]!)) {
        // Entities moved earlier in this scan were all behind this one.
        const pos = k + moved;
        const g = Math.floor(pos / groupSize);
        hits[g]!++;
        shifts += g;
        if (pos > 0) {
          if (cur === this.scanTail) this.scanTail = before;
          this.unlink(cur);
          this.pushHead(cur);
          moved++;
        }
        c.referencesFound++;
      }
      cur = before;
    }
    c.entitiesScanned += count;
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
    const slot = this.probe(id);
    const x = this.slots[slot]!;
    if (x < 0) return false;
    const c = this.c;
    c.removes++;
    const t0 = this.ptime[x]!;
    if (t0 > 0) {
      this.unmark(t0);
      this.unlink(x);
    } else if (this.protectedCount > 0) {
      const newcomer = this.next[this.scanTail]!;
      this.unlink(x);
      this.scanTail = newcomer;
      this.unmark(this.ptime[newcomer]!);
      this.ptime[newcomer] = 0;
      c.unprotects++;
      this.port.unprotect(this.ids[newcomer]!);
    } else {
      if (x === this.scanTail) this.scanTail = this.prev[x]!;
      this.unlink(x);
      this.scanLen--;
    }
    this.deleteSlot(slot);
    this.ptime[x] = -1;
    this.next[x] = this.freeHead;
    this.freeHead = x;
    this.length--;
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
    n = Math.max(n, Math.ceil(this.length / this.groupSize));
    return new GroupHits(this.groupSize, this.hits.subarray(0, n), this.misses);
  }

  /** The curve of the current window; see {@link GroupHits.curve}. */
  curve(sizes?: ArrayLike<number>): HitRatioCurve {
    return this.snapshot().curve(sizes);
  }

  /** Bytes of the tracker's typed arrays, static and per node. */
  spaceReport(): TrackerSpaceReport {
    const cap = this.cap;
    const parts: TrackerSpacePart[] = [
      { name: 'group hit counters (Float64Array)', bytes: this.hits.byteLength, bytesPerNode: 0 },
      {
        name: 'LRU links prev/next (2 × Int32Array)',
        bytes: this.prev.byteLength + this.next.byteLength,
        bytesPerNode: 8,
      },
      { name: 'entity ids (Float64Array)', bytes: this.ids.byteLength, bytesPerNode: 8 },
      {
        name: 'protection times (Int32Array)',
        bytes: this.ptime.byteLength,
        bytesPerNode: 4,
      },
      {
        name: 'hash table, 2 slots per node (Int32Array)',
        bytes: this.slots.byteLength,
        bytesPerNode: 8,
      },
      {
        name: 'protection-time Fenwick tree, 2 per node (Int32Array)',
        bytes: this.tree.byteLength,
        bytesPerNode: 8,
      },
    ];
    let staticBytes = 0;
    let bytesPerNode = 0;
    for (const p of parts) {
      if (p.bytesPerNode === 0) staticBytes += p.bytes;
      bytesPerNode += p.bytesPerNode;
    }
    return {
      staticBytes,
      bytesPerNode,
      nodeCapacity: cap,
      nodes: this.length,
      nodeBytes: bytesPerNode * cap,
      totalBytes: staticBytes + bytesPerNode * cap,
      parts,
    };
  }

  /**
   * Checks the internal invariants (list links, scan-list boundary, protection times, hash
   * table, tree counts) and throws an Error naming the first broken one. For tests and debug
   * builds; O(n).
   */
  checkInvariants(): void {
    const fail = (what: string): never => {
      throw new Error(`CvhrcTracker invariant broken: ${what}`);
    };
    let n = 0;
    let protectedSeen = 0;
    let lastTime = Infinity;
    let p = -1;
    for (let x = this.head; x >= 0; x = this.next[x]!) {
      if (this.prev[x] !== p) fail(`prev of node ${x}`);
      const inScan = n < this.scanListSize;
      const t = this.ptime[x]!;
      if (inScan && t !== 0) fail(`scan-list node ${x} at ${n} has protection time ${t}`);
      if (!inScan) {
        if (!(t > 0 && t < lastTime && t <= this.clock)) fail(`protection time order at ${n}`);
        lastTime = t;
        protectedSeen++;
      }
      if (n === Math.min(this.length, this.scanListSize) - 1 && x !== this.scanTail) {
        fail('scanTail');
      }
      if (this.slots[this.probe(this.ids[x]!)] !== x) fail(`hash entry of node ${x}`);
      p = x;
      n++;
      if (n > this.cap) fail('list cycle');
    }
    if (p !== this.tail) fail('tail');
    if (n !== this.length) fail(`length ${this.length} but ${n} nodes`);
    if (this.scanLen !== Math.min(n, this.scanListSize)) fail('scanLen');
    if (protectedSeen !== this.protectedCount) fail('protectedCount');
    let total = 0;
    for (let i = this.clock; i > 0; i -= i & -i) total += this.tree[i]!;
    if (total !== this.protectedCount) fail('tree total');
    let used = 0;
    for (const s of this.slots) if (s >= 0) used++;
    if (used !== n) fail('hash size');
  }

  // ---- internals ----------------------------------------------------------------------

  private pushHead(x: number): void {
    const h = this.head;
    this.prev[x] = -1;
    this.next[x] = h;
    if (h >= 0) this.prev[h] = x;
    else this.tail = x;
    this.head = x;
  }

  private unlink(x: number): void {
    const p = this.prev[x]!;
    const q = this.next[x]!;
    if (p >= 0) this.next[p] = q;
    else this.head = q;
    if (q >= 0) this.prev[q] = p;
    else this.tail = p;
  }

  /** Protects a node that just fell out of the scan list. */
  private protectNode(x: number): void {
    this.mark(x);
    this.c.protects++;
    this.port.protect(this.ids[x]!);
  }

  /** Gives `x` the next protection time. */
  private mark(x: number): void {
    if (this.clock === this.treeCap) this.compact();
    const t = ++this.clock;
    const tree = this.tree;
    const cap = this.treeCap;
    for (let i = t; i <= cap; i += i & -i) tree[i]!++;
    this.ptime[x] = t;
    this.protectedCount++;
  }

  private unmark(t: number): void {
    const tree = this.tree;
    const cap = this.treeCap;
    for (let i = t; i <= cap; i += i & -i) tree[i]!--;
    this.protectedCount--;
  }

  /** Renumbers the protection times 1..protectedCount, walking the protected part from the tail. */
  private compact(): void {
    this.c.compactions++;
    let k = 0;
    for (let x = this.tail; x >= 0 && x !== this.scanTail; x = this.prev[x]!) {
      if (this.ptime[x]! > 0) this.ptime[x] = ++k;
    }
    if (k !== this.protectedCount) {
      throw new Error(`CvhrcTracker: ${k} protected nodes but ${this.protectedCount} counted`);
    }
    this.clock = k;
    this.tree = onesTree(this.treeCap, k, this.tree);
  }

  /** Hash slot holding `id`, or the empty slot where it would go. */
  private probe(id: number): number {
    const slots = this.slots;
    const ids = this.ids;
    const mask = this.slotMask;
    let i = hashId(id) >>> this.slotShift;
    for (;;) {
      const x = slots[i]!;
      if (x < 0 || ids[x] === id) return i;
      i = (i + 1) & mask;
    }
  }

  private find(id: number): number {
    return this.slots[this.probe(id)]!;
  }

  /** Empties `slot`, shifting later entries of the probe run back (no tombstones). */
  private deleteSlot(slot: number): void {
    const slots = this.slots;
    const ids = this.ids;
    const mask = this.slotMask;
    const shift = this.slotShift;
    let i = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      const x = slots[j]!;
      if (x < 0) break;
      const home = hashId(ids[x]!) >>> shift;
      // x may fill the hole at i if i lies cyclically in [home, j).
      if (((j - home) & mask) >= ((j - i) & mask)) {
        slots[i] = x;
        i = j;
      }
    }
    slots[i] = -1;
  }

  /** Sets the node capacity (a power of two), copying the list and rebuilding hash and tree. */
  private resize(cap: number): void {
    const old = this.cap;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, Math.min(old, cap)));
      return b;
    };
    this.prev = grow(this.prev, (n) => new Int32Array(n));
    this.next = grow(this.next, (n) => new Int32Array(n));
    this.ids = grow(this.ids, (n) => new Float64Array(n));
    this.ptime = grow(this.ptime, (n) => new Int32Array(n));
    this.cap = cap;
    const bits = Math.log2(cap) + 1;
    this.slots = new Int32Array(2 * cap).fill(-1);
    this.slotMask = 2 * cap - 1;
    this.slotShift = 32 - bits;
    for (let x = this.head; x >= 0; x = this.next[x]!) this.slots[this.probe(this.ids[x]!)] = x;
    this.tree = new Int32Array(2 * cap);
    this.treeCap = 2 * cap - 1;
    this.compact();
    this.c.compactions--; // a resize is not counted as a compaction
    const groups = Math.ceil(cap / this.groupSize) + 1;
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
