import { InvalidOptionError, InvalidPageError, TrackerStateError } from './errors.js';
import { GroupHits } from './group-hits.js';
import type { HitRatioCurve } from './hit-ratio-curve.js';
import { isPageId } from './internal/ids.js';
import { RecordTable } from './internal/record-table.js';
import { TimeMarks, enterWord, moveToTop } from './internal/time-marks.js';

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
  /**
   * Optional, for host speed only: the scan will test `id` a few entities from now. A host
   * whose test reads scattered memory (a kernel's page descriptor and PTE) may read it here,
   * so that the cache misses of several tests overlap instead of following one another; it
   * must change nothing, and returns any number (the tracker keeps it, so that the reads are
   * not optimised away).
   */
  testSoon?(id: number): number;
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

/** The scan tells its port of the entity this many ahead of the one it tests (testSoon). */
const SCAN_AHEAD = 8;

/**
 * A scan lays the scan list's records out again (relaySlots) when more than 1/2^this of its
 * steps went to a slot not next to the one before.
 */
const RELAY_JUMPS_SHIFT = 5;
/**
 * Fake faults cleared as usual at rising protection times, in a row, after which the tracker
 * takes a sweep to be under way that its open interval of dead marks does not follow, and
 * closes the interval (see `CvhrcTracker.stray`). Host speed only: positions are exact
 * either way.
 */
const STRAY_SWEEP = 64;

/** Highest load of the tracker's hash table before it doubles. */
const MAX_LOAD = 0.7;
/** Direct link array: at most this many slots per node of capacity. */
const DIRECT_PER_NODE = 4;
/** Ids at or above this are never direct-indexed. */
const DIRECT_LIMIT = 2 ** 30;
/** Link of an id that is not tracked, in the direct link array. */
const UNTRACKED = -2147483648;

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
 * - A node holds the entity's link (its protection time, or its scan slot). While every id
 *   tracked is below 4 × the node capacity, the links are an Int32Array indexed by id (a
 *   node is its id: 4 bytes per id, one cache miss per lookup); the first id beyond that
 *   moves them to an open-addressing hash table keyed by id whose slots are the records
 *   [id, link] (a Float64Array, still one miss per lookup), and they move back to an array
 *   when the capacity, doubling, covers every id again.
 * - The scan list is a doubly linked list over scan-list slots, each a 16-byte record [prev,
 *   next, entity id] (and the node while hashed), so that a scan touches only these records
 *   and the port, one cache line per entity.
 * - The protected part only ever gains entities at its head (the one that fell out of the
 *   scan list last) and loses them anywhere, so its order is the order of protection times:
 *   a node's link is its protection time, a {@link TimeMarks} bitmap marks the live times
 *   (and counts the marks below a time in six reads) and an array maps each time back to its
 *   node. A protected entity's LRU position is the scan-list size plus the live times after
 *   its own. This gives exactly the groups that one boundary marker per group (Zhou et al.)
 *   gives, without O(groups) marker updates per move; the shifts such markers would make are
 *   still counted ({@link TrackerCounters.markerShifts}) so that a host can charge them.
 *
 * The hot paths (`firstTouch`, `fakeFault`, `scan`, `remove`) allocate nothing except when
 * the node capacity grows or the nodes move between the array and the hash table.
 */
export class CvhrcTracker {
  /** Entities scanned instead of protected. */
  readonly scanListSize: number;
  /** LRU positions per hit counter. */
  readonly groupSize: number;
  /** Work counters (a live view; copy with `{ ...tracker.counters }`). */
  readonly counters: TrackerCounters;

  private readonly port: TrackerPort;
  /** log2(groupSize) when it is a power of two up to 2^30 (a group is then a shift); else −1. */
  private readonly groupShift: number;
  private readonly c: MutableCounters;

  /**
   * Nodes, and their links: link ≥ 0 is the protection time of a protected entity; link < 0
   * is −(scan slot + 1) for an entity in the scan list. While ids are dense (every id below
   * DIRECT_PER_NODE × the node capacity), a node is its id and its link is dlink[id]
   * (UNTRACKED if none), and `table` is null; otherwise `dlink` is null and a node is the slot
   * x of a hash table holding [entity id, link].
   */
  private table: RecordTable | null = null;
  private dlink: Int32Array<ArrayBuffer> | null = null;
  /** Nodes held before the structures double (what the hash table would hold). */
  private nodeCap: number;
  /** log2 of the hash table's slots at this capacity. */
  private tableBits: number;
  private count = 0;
  /** The most entities the list held in the current window (hits can only be counted below it). */
  private maxCount = 0;
  /** Highest id ever tracked. */
  private maxId = -1;

  // Scan list: doubly linked over slots. Slot s is a 16-byte record [prev, next, entity id]
  // in one buffer: prev = sLink[4s], next = sLink[4s + 1] (Int32) and id = sId[2s + 1]
  // (Float64, ids up to 2^53), so that a scan step, or the slot that falls out of the list,
  // reads one cache line, and a scan reads nothing but these records and the port.
  private sLink = new Int32Array(0);
  private sId = new Float64Array(0);
  /**
   * Each slot's node while nodes are hash-table slots, so that the entity falling out is
   * reached without a lookup. Not kept while ids are direct-indexed (the node is the id):
   * read it through {@link slotNode}.
   */
  private sNode = new Int32Array(0);
  private sHead = -1;
  private sTail = -1;
  private scanLen = 0;
  /** Scan slots never used (all below are used or on the free stack). */
  private sFresh = 0;
  /** Free scan slots, chained through their next links. */
  private sFree = -1;
  /** Fake faults taken in runs ({@link commitSweep}) since the last scan (see relaySlots). */
  private swept = 0;

  // Protected part in protection-time order.
  private marks = new TimeMarks(32);
  private timeToNode = new Int32Array(0);
  /** Latest protection time handed out (−1: none). */
  private clock = -1;
  private protectedCount = 0;
  /**
   * Lazily cleared marks, for sweeps. The protection times [deadLo, deadHi) hold no live
   * mark; the `dead` marks in them are still set (their entities left those times), and
   * `coldLive` live marks lie below deadLo. deadHi is the lowest live mark at or above deadLo
   * (clock + 1 if none). A fake fault (or removal) at deadHi — the next entity of a sweep over
   * more pages than the scan list, protected in the order it is now met again — has exactly
   * `coldLive` live marks below it, so its position needs no counts, and its mark joins the
   * dead ones instead of being taken off the counts at every level (the most work a clear can
   * take: the sweep's marks are far from the top). Counts of a live time above the interval
   * include the dead marks and counts of one below it do not: `ahead` corrects for that. A
   * fault elsewhere is cleared as usual, and starts a new interval when none is open.
   * Compaction drops the dead marks.
   */
  private deadLo = 0;
  private deadHi = 0;
  private dead = 0;
  private coldLive = 0;
  /**
   * Fake faults in a row, on the direct path, cleared as usual (an interval being open
   * elsewhere) at rising protection times, and the last one's time: a sweep that the open
   * interval does not follow. At {@link STRAY_SWEEP} the dead marks are taken off the counts
   * ({@link clearDead}) so that the sweep's next fault opens an interval at its own place.
   */
  private strays = 0;
  private strayAt = -1;

  private hits = new Float64Array(0);
  private misses = 0;
  /** The group of the last {@link planSweep}. */
  private plannedG = 0;
  /**
   * The last {@link planSweep}'s faults (0 once committed or when another plan starts):
   * per fault, the scan slot it takes (the tail, then its predecessors) and the protection
   * time its entity had; and the tracker's version when it was made.
   */
  private planned = 0;
  private planSlots = new Int32Array(0);
  private planTimes = new Int32Array(0);
  private planVersion = -1;
  /** Changes with every change of the list (first touch, fake fault, scan, removal, commit). */
  private version = 0;
  /** Xor of the port's testSoon results in the last scan (means nothing; keeps the reads). */
  private lookAheadSink = 0;

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
    this.groupShift =
      groupSize <= 2 ** 30 && (groupSize & (groupSize - 1)) === 0 ? 31 - Math.clz32(groupSize) : -1;
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
    this.tableBits = Math.max(4, Math.ceil(Math.log2(Math.max(2, initial) / MAX_LOAD)));
    this.nodeCap = Math.floor(2 ** this.tableBits * MAX_LOAD);
    let length = 16;
    while (length < initial) length *= 2;
    this.dlink = new Int32Array(length).fill(UNTRACKED);
    this.fitToTable();
  }

  /** Tracked entities. */
  get size(): number {
    return this.count;
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
    return x >= 0 && this.linkOf(x) >= 0;
  }

  /** The tracked ids in LRU order, MRU first. */
  entities(): Float64Array {
    const out = new Float64Array(this.count);
    let k = 0;
    for (let s = this.sHead; s >= 0; s = this.sLink[4 * s + 1]!) out[k++] = this.sId[2 * s + 1]!;
    for (let t = this.clock; t >= 0; t--) {
      if (t === this.deadHi - 1 && this.deadLo < this.deadHi)
        t = this.deadLo; // dead marks
      else if (this.marks.has(t)) out[k++] = this.idOf(this.timeToNode[t]!);
    }
    return out;
  }

  /**
   * A first touch of `id` (a miss): inserts it at the MRU end, unprotected. Throws
   * {@link TrackerStateError} if `id` is already tracked.
   */
  firstTouch(id: number): void {
    if (!isPageId(id)) throw new InvalidPageError(id);
    if (this.find(id) >= 0) {
      throw new TrackerStateError(id, 'first touch of an entity that is already tracked');
    }
    if (this.count >= this.nodeCap) this.growNodes();
    if (this.dlink !== null && id >= this.dlink.length) this.widen(id);
    this.version++;
    const c = this.c;
    c.firstTouches++;
    this.misses++;
    const n = this.count;
    if (n > 0) c.markerShifts += Math.ceil(n / this.groupSize) - 1;
    let s: number;
    if (this.scanLen < this.scanListSize) {
      this.scanLen++;
      s = this.sFree;
      if (s >= 0) this.sFree = this.sLink[4 * s + 1]!;
      else s = this.sFresh++;
    } else {
      s = this.sTail;
      this.unlinkSlot(s);
      this.protectNode(this.slotNode(s), this.sId[2 * s + 1]!);
    }
    let x: number;
    if (this.dlink !== null) {
      x = id;
      this.dlink[id] = -(s + 1);
    } else {
      const table = this.table!;
      x = table.probe(id);
      table.insertAt(x, id, -(s + 1));
    }
    this.count++;
    if (this.count > this.maxCount) this.maxCount = this.count;
    if (id > this.maxId) this.maxId = id;
    this.sId[2 * s + 1] = id;
    this.sNode[s] = x;
    this.pushHeadSlot(s);
  }

  /**
   * A fake fault on the protected entity `id`: counts a hit at its group, moves it to the MRU
   * end, unprotects it and protects the entity pushed out of the scan list. Throws
   * {@link TrackerStateError} if `id` is not tracked or not protected.
   */
  fakeFault(id: number): void {
    const pushedOut = this.directFault(id);
    if (pushedOut >= 0) {
      this.port.unprotect(id);
      this.port.protect(pushedOut);
      return;
    }
    this.version++;
    const dlink = this.dlink;
    const x = isPageId(id) ? this.find(id) : -1;
    const t0 = x >= 0 ? this.linkOf(x) : -1;
    if (t0 < 0) {
      throw new TrackerStateError(
        id,
        this.has(id) ? 'fake fault on an unprotected entity' : 'fake fault on an untracked entity',
      );
    }
    const marks = this.marks;
    const clock = this.clock;
    // Position: the full scan list, then the entities protected after this one (the counts
    // of a time below the dead interval miss its dead marks).
    const ahead = marks.live - marks.below(t0) - 1 - (t0 < this.deadLo ? this.dead : 0);
    const g = Math.floor((this.scanListSize + ahead) / this.groupSize);
    this.hits[g]!++;
    const c = this.c;
    c.fakeFaults++;
    c.markerShifts += g;
    c.listMoves++;
    // x takes the scan slot of the entity that falls out.
    const s = this.sTail;
    const fallenId = this.sId[2 * s + 1]!;
    const fallen = this.slotNode(s);
    this.unlinkSlot(s);
    this.sId[2 * s + 1] = id;
    this.sNode[s] = x;
    this.pushHeadSlot(s);
    let t: number;
    if (clock + 1 < this.timeToNode.length) {
      t = clock + 1;
      marks.move(t0, t);
      if (t0 < this.deadLo) this.coldLive--;
      else if (t0 === this.deadHi) this.deadHi = lowestMarkFrom(marks.bits, t0 + 1);
    } else {
      marks.clear(t0);
      this.protectedCount--;
      this.compact();
      t = this.clock + 1;
      this.marks.push(t);
      this.protectedCount++;
    }
    this.clock = t;
    this.timeToNode[t] = fallen;
    if (dlink !== null) {
      dlink[x] = -(s + 1);
      dlink[fallen] = t;
    } else {
      const recs = this.table!.recs;
      recs[2 * x + 1] = -(s + 1);
      recs[2 * fallen + 1] = t;
    }
    c.unprotects++;
    c.protects++;
    this.port.unprotect(id);
    this.port.protect(fallenId);
  }

  /**
   * {@link fakeFault} less its two port calls, for a host that flips its own bits: the host
   * unprotects `id` and protects the entity returned (the one pushed out of the scan list),
   * in that order. Returns −1 when the fault took the general path, which made the port calls
   * itself. Same changes, counts and hits as {@link fakeFault}; throws as it does.
   */
  fakeFaultUnported(id: number): number {
    const fallen = this.directFault(id);
    if (fallen >= 0) return fallen;
    this.fakeFault(id);
    return -1;
  }

  /**
   * The fake fault on the common path ({@link fakeFaultDirect}: ids direct-indexed, `id`
   * protected, a free protection time), port calls left to the caller, when it applies: returns
   * the entity pushed out of the scan list; else −1, having changed nothing.
   */
  private directFault(id: number): number {
    const dlink = this.dlink;
    if (dlink !== null && id >= 0 && id < dlink.length && (id | 0) === id) {
      const t0 = dlink[id]!; // UNTRACKED < 0
      if (t0 >= 0 && this.clock + 1 < this.timeToNode.length) {
        this.version++;
        return this.fakeFaultDirect(dlink, id, t0);
      }
    }
    return -1;
  }

  /**
   * {@link fakeFault} on the common path, less the port calls: ids direct-indexed, `id`
   * protected at time t0, and a free protection time above the clock. The same steps in tight
   * integer code: one pass over the time marks gives the entity's position and moves its mark
   * to the top. Returns the entity pushed out of the scan list, for the caller to protect
   * (after unprotecting `id`).
   */
  private fakeFaultDirect(dlink: Int32Array, id: number, t0: number): number {
    const marks = this.marks;
    const t = this.clock + 1;
    // Position: the full scan list, then the entities protected after this one.
    let ahead: number;
    let stray = false;
    if (t0 === this.deadHi || this.dead === 0) {
      ahead = this.clearLazily(t0, t);
    } else {
      const cold = t0 < this.deadLo;
      ahead = moveToTop(marks, marks.bits, t0, t, marks.live) - 1 - (cold ? this.dead : 0);
      if (cold) this.coldLive--;
      stray = true;
    }
    marks.top = t;
    this.clock = t;
    if (stray) this.stray(t0);
    const pos = this.scanListSize + ahead;
    const shift = this.groupShift;
    const g = shift >= 0 ? pos >>> shift : Math.floor(pos / this.groupSize);
    const hits = this.hits;
    hits[g] = hits[g]! + 1;
    const c = this.c;
    c.fakeFaults++;
    c.markerShifts += g;
    c.listMoves++;
    c.unprotects++;
    c.protects++;
    // id takes the scan slot of the entity that falls out (the tail) and moves it to the head.
    const s = this.sTail;
    // Ids are direct-indexed, so the node that falls out is its id (sNode is not kept), an
    // integer below 2^30 (`| 0` keeps the indexing by it in integers).
    const fallen = this.sId[2 * s + 1]! | 0;
    const fallenId = fallen;
    this.tailToHead(s, id);
    this.timeToNode[t] = fallen;
    dlink[id] = -(s + 1);
    dlink[fallen] = t;
    return fallenId;
  }

  /** Scan slot `s`, the tail, takes entity `id` and becomes the head (a fake fault's reuse). */
  private tailToHead(s: number, id: number): void {
    const sLink = this.sLink;
    const h = this.sHead;
    if (h !== s) {
      const p = sLink[4 * s]!;
      sLink[4 * p + 1] = -1;
      this.sTail = p;
      sLink[4 * s] = -1;
      sLink[4 * s + 1] = h;
      sLink[4 * h] = s;
      this.sHead = s;
    }
    this.sId[2 * s + 1] = id;
  }

  /**
   * The fake fault's move of the mark t0 to t when t0 is the next entity of a sweep (deadHi)
   * or no interval is open (see `deadLo`): t0's mark joins the dead ones and t is marked above
   * it; returns the entities ahead of t0 (the live marks above it). Kept out of
   * `fakeFaultDirect` so that the common path stays small.
   */
  private clearLazily(t0: number, t: number): number {
    const marks = this.marks;
    this.strays = 0;
    if (t0 !== this.deadHi) {
      this.coldLive = marks.below(t0);
      this.deadLo = t0;
    }
    const bits = marks.bits;
    if ((t & 31) === 0) enterWord(marks, t >>> 5, marks.live);
    bits[t >>> 5] = bits[t >>> 5]! | (1 << (t & 31));
    marks.live++;
    this.dead++;
    this.deadHi = lowestMarkFrom(bits, t0 + 1);
    return this.protectedCount - this.coldLive - 1;
  }

  /**
   * Notes a fake fault at t0 cleared as usual while the interval is open elsewhere; after
   * {@link STRAY_SWEEP} of them at rising times, a sweep is under way that the interval does
   * not follow (its next entity, deadHi, is not met: a page the sweep skips, or one the scans
   * moved out of the order of the pass), and the interval is closed ({@link clearDead}) so
   * that the sweep's next fault opens one where it is. Each dead mark is taken off the counts
   * once, as its fault would have done without the interval.
   */
  private stray(t0: number): void {
    if (t0 > this.strayAt) {
      if (++this.strays >= STRAY_SWEEP) this.clearDead();
    } else this.strays = 1;
    this.strayAt = t0;
  }

  /**
   * Takes the dead marks off the counts and leaves no interval open: deadLo = deadHi (a live
   * mark, or clock + 1), with the same `coldLive` live marks below it. Positions are the
   * same whichever way the marks are held.
   */
  private clearDead(): void {
    const marks = this.marks;
    const bits = marks.bits;
    const lo = this.deadLo;
    const hi = this.deadHi;
    for (let w = lo >>> 5; w <= (hi - 1) >>> 5 && hi > lo; w++) {
      // The bits of [lo, hi) in word w.
      let x = bits[w]!;
      if (w === lo >>> 5) x &= -1 << (lo & 31);
      if (w === (hi - 1) >>> 5) x &= -1 >>> (31 - ((hi - 1) & 31));
      while (x !== 0) {
        marks.clear((w << 5) | (31 - Math.clz32(x & -x)));
        x &= x - 1;
      }
    }
    this.dead = 0;
    this.deadLo = hi;
    this.strays = 0;
    this.strayAt = -1;
  }

  /**
   * For a host that takes a run of fake faults at once: a sweep, a pass over more entities
   * than the scan list that meets the protected ones in the order they were protected (the
   * common case of a kernel's tracker, where each fault is the next page of a loop). Looks at
   * `ids[0..n)` as the next fake faults, changing nothing, and returns how many of them, from
   * the first, {@link commitSweep} takes exactly as that many {@link fakeFault} calls would
   * (less their port calls): each must be protected and direct-indexed, with its protection
   * time, at its turn, the lowest live one above the previous faulting entity's — for the
   * first, the next entity of the sweep in progress (`deadHi`, an interval of dead marks
   * being open) — with a free protection time for each and no more faults than the scan list
   * holds. Writes into `fallenOut[i]` the entity the i-th fault pushes out of the scan list
   * (which its host must protect). Every one of them counts its hit at the same group,
   * {@link plannedGroup}. Returns 0 when the first cannot be taken that way.
   */
  planSweep(ids: ArrayLike<number>, n: number, fallenOut: Float64Array): number {
    this.planned = 0;
    const dlink = this.dlink;
    if (dlink === null || this.dead === 0) return 0;
    const bits = this.marks.bits;
    const sLink = this.sLink;
    const sId = this.sId;
    let max = Math.min(n, fallenOut.length, this.scanLen, this.timeToNode.length - 1 - this.clock);
    if (this.planSlots.length < max) {
      this.planSlots = new Int32Array(Math.max(max, fallenOut.length));
      this.planTimes = new Int32Array(this.planSlots.length);
    }
    const slots = this.planSlots;
    const times = this.planTimes;
    let expected = this.deadHi;
    let s = this.sTail;
    let i = 0;
    for (; i < max; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < dlink.length && id === (id | 0))) break;
      const t0 = dlink[id]!;
      if (t0 < 0 || t0 !== expected) break;
      // The i-th fault takes tail slot s (the scan list's tail, then its predecessors).
      slots[i] = s;
      times[i] = t0;
      fallenOut[i] = sId[2 * s + 1]!;
      s = sLink[4 * s]!;
      if (i + 1 < max) {
        // The next entity of the sweep: the lowest live mark above t0 (marks set by these
        // faults are above the clock, and the next one, a live protected time, is below it).
        expected = lowestMarkFrom(bits, t0 + 1);
        if (expected > this.clock) max = i + 1;
      }
    }
    const pos = this.scanListSize + this.protectedCount - this.coldLive - 1;
    this.plannedG =
      this.groupShift >= 0 ? pos >>> this.groupShift : Math.floor(pos / this.groupSize);
    this.planned = i;
    this.planVersion = this.version;
    return i;
  }

  /** The group at which the faults of the last {@link planSweep} count their hits. */
  get plannedGroup(): number {
    return this.plannedG;
  }

  /**
   * Takes the first `k` fake faults of the last {@link planSweep}, `ids[0..k)` (k no more than
   * it returned, nothing else done with the tracker in between): the same changes, counts and
   * hits as `k` calls of {@link fakeFault}, without their port calls — the host unprotects
   * `ids[i]` and protects the plan's `fallenOut[i]` itself. Throws {@link InvalidOptionError}
   * if `k` is more than the plan holds (none after a commit), and {@link TrackerStateError}
   * if the tracker changed since the plan or an entity is not the one planned.
   */
  commitSweep(ids: ArrayLike<number>, k: number): void {
    const planned = this.planned;
    this.planned = 0;
    if (!(k >= 0 && k <= planned) || k !== Math.floor(k)) {
      throw new InvalidOptionError(
        'k',
        `must be an integer in [0, ${planned}] (planned), got ${k}`,
      );
    }
    if (k === 0) return;
    const slots = this.planSlots;
    const times = this.planTimes;
    if (this.version !== this.planVersion) {
      throw new TrackerStateError(ids[0]!, 'the tracker changed between planSweep and commitSweep');
    }
    this.version++;
    const dlink = this.dlink!;
    const marks = this.marks;
    const bits = marks.bits;
    const sId = this.sId;
    const timeToNode = this.timeToNode;
    const g = this.plannedG;
    const c = this.c;
    // Every fault's entity must be the one planned (checked before anything changes).
    for (let i = 0; i < k; i++) {
      const id = ids[i]!;
      if (dlink[id] !== times[i]) {
        throw new TrackerStateError(id, 'a planned sweep fault is not the next of the sweep');
      }
    }
    // fakeFaultDirect's steps on its lazy-clearing path (clearLazily with t0 = deadHi), for
    // each fault in turn: fault i's entity had the planned protection time times[i] (the
    // sweep's next, deadHi, at its turn: the marks these faults set are above the clock, so
    // they do not change which live mark is next), takes the planned tail slot slots[i] and
    // the next protection time; the one in that slot falls out and is protected.
    const t0 = this.clock;
    const live = marks.live;
    // The faults mark the times t0 + 1 … t0 + k, one after another: a word's bits at once,
    // each word entered as the (t − t0 − 1)-th fault's mark enters it, with the marks of the
    // faults before it counted.
    for (let t = t0 + 1; t <= t0 + k; ) {
      const w = t >>> 5;
      if ((t & 31) === 0) enterWord(marks, w, live + (t - t0 - 1));
      const last = Math.min(t0 + k, t | 31);
      // Bits (t & 31) … (last & 31) of word w.
      bits[w] = bits[w]! | ((-1 >>> (31 - (last & 31))) & (-1 << (t & 31)));
      t = last + 1;
    }
    let t = t0;
    for (let i = 0; i < k; i++) {
      const id = ids[i]!;
      t++;
      const s = slots[i]!;
      const fallen = sId[2 * s + 1]! | 0; // direct-indexed: an integer below 2^30
      sId[2 * s + 1] = id;
      timeToNode[t] = fallen;
      dlink[id] = -(s + 1);
      dlink[fallen] = t;
    }
    marks.live = live + k;
    marks.top = t;
    this.clock = t;
    this.dead += k;
    this.strays = 0;
    this.swept += k;
    this.deadHi = k < planned ? times[k]! : lowestMarkFrom(bits, times[k - 1]! + 1);
    // Every fault moved its tail slot to the head: the k slots at the tail, in their order,
    // now lead the list (a splice; when they are the whole list, nothing moves).
    const sLink = this.sLink;
    const first = slots[k - 1]!;
    const p = sLink[4 * first]!;
    if (p >= 0) {
      const last = slots[0]!;
      const h = this.sHead;
      sLink[4 * p + 1] = -1;
      this.sTail = p;
      sLink[4 * last + 1] = h;
      sLink[4 * h] = last;
      sLink[4 * first] = -1;
      this.sHead = first;
    }
    // Hit counts are integers: adding k at once is adding 1 k times.
    this.hits[g] = this.hits[g]! + k;
    c.fakeFaults += k;
    c.markerShifts += k * g;
    c.listMoves += k;
    c.unprotects += k;
    c.protects += k;
  }

  /**
   * The periodic scan: for each scan-list entity, from the LRU end toward the MRU end, tests
   * and clears its reference bit through the port; if it was set, counts a hit at the
   * entity's current group and moves it to the MRU end.
   */
  scan(): void {
    this.version++;
    const c = this.c;
    c.scans++;
    const port = this.port;
    const sLink = this.sLink;
    const sId = this.sId;
    const hits = this.hits;
    const groupSize = this.groupSize;
    const groupShift = this.groupShift;
    const count = this.scanLen;
    let s = this.sTail;
    let moved = 0;
    let found = 0;
    let shifts = 0;
    // The slots' layout (host speed only; see relaySlots), watched only after runs of sweep
    // faults: steps to a slot that is not next to the one before, and changes between
    // referenced and not along the walk (the moves below keep the list's cyclic order only if
    // there is at most one). Relaid only for a host that takes such runs (a kernel's): its
    // sweeps walk the list from the tail, and half a list of them since the last scan pays
    // for the relaying, which writes every entity's link. A host that fakes faults one at a
    // time reads one record per fault and would not gain from it.
    const watch = this.swept > 0 && this.swept >= count >>> 1;
    this.swept = 0;
    let jumps = 0;
    let turns = 0;
    let last = -1;
    // The look-ahead: `a` runs SCAN_AHEAD entities ahead of `s`, toward the MRU end, and
    // stops at the list's first entity (those the scan moves go beyond it, and `s` meets none
    // of them), so it names the entities `s` will meet, in order.
    const soon = port.testSoon !== undefined;
    let a = s;
    let sink = 0;
    if (soon) for (let j = 0; j < SCAN_AHEAD && a >= 0; j++) a = sLink[4 * a]!;
    for (let k = count - 1; k >= 0; k--) {
      if (soon && a >= 0 && k >= SCAN_AHEAD) {
        sink ^= port.testSoon!(sId[2 * a + 1]!);
        a = sLink[4 * a]!;
      }
      const before = sLink[4 * s]!;
      const referenced = port.testAndClearReferenced(sId[2 * s + 1]!);
      if (watch) {
        if (before !== s + 1 && before !== s - 1) jumps++;
        const r = referenced ? 1 : 0;
        if (r !== last) {
          if (last >= 0) turns++;
          last = r;
        }
      }
      if (referenced) {
        // Entities moved earlier in this scan were all behind this one.
        const pos = k + moved;
        const g = groupShift >= 0 ? pos >>> groupShift : Math.floor(pos / groupSize);
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
    if (soon) this.lookAheadSink = sink;
    c.entitiesScanned += count;
    c.referencesFound += found;
    c.listMoves += moved;
    c.markerShifts += shifts;
    if (jumps > count >>> RELAY_JUMPS_SHIFT || turns >= 2) this.relaySlots();
  }

  /**
   * Lays the scan list's records out again in list order: the tail in slot 0 and each
   * entity's neighbour toward the MRU end in the next slot, so that the walks from the tail
   * — a scan's, a sweep's ({@link planSweep}) — read consecutive records, which the processor
   * prefetches, instead of records strewn over the buffer. Fake faults and first touches on
   * a full list take the tail slot to the head and keep the order (a rotation); a scan that
   * moves some of the entities but not a run of them, removals and first touches into freed
   * slots strew it, and after a while every step of a walk is a cache miss once the list's
   * 128 KiB are out of the cache. Called after a scan that found the records strewn or
   * changed their cyclic order, when runs of sweep faults were taken since the last scan (a
   * kernel's tracker; see {@link scan}). Host speed only: the list, its ids and nodes, and
   * everything they decide are the same; only slot numbers change (and the free slots are
   * forgotten: slots from scanLen on count as never used). In place, in O(slots used): no
   * extra memory.
   */
  private relaySlots(): void {
    const n = this.scanLen;
    const used = this.sFresh;
    const sLink = this.sLink;
    const sId = this.sId;
    const sNode = this.sNode;
    // Each slot's place in list order, in its `next` field (−1: not in the list).
    for (let s = 0; s < used; s++) sLink[4 * s + 1] = -1;
    let s = this.sTail;
    for (let i = 0; i < n; i++) {
      if (s < 0) throw new Error('CvhrcTracker: the scan list is shorter than scanLen');
      sLink[4 * s + 1] = i;
      s = sLink[4 * s]!;
    }
    if (s >= 0) throw new Error('CvhrcTracker: the scan list is longer than scanLen');
    // Each record to the slot of its place, by swaps along the permutation's cycles: a swap
    // puts one record where it belongs, so at most n of them.
    for (let j = 0; j < used; j++) {
      for (let to = sLink[4 * j + 1]!; to >= 0 && to !== j; to = sLink[4 * j + 1]!) {
        const id = sId[2 * j + 1]!;
        sId[2 * j + 1] = sId[2 * to + 1]!;
        sId[2 * to + 1] = id;
        const x = sNode[j]!;
        sNode[j] = sNode[to]!;
        sNode[to] = x;
        sLink[4 * j + 1] = sLink[4 * to + 1]!;
        sLink[4 * to + 1] = to;
      }
    }
    // The links, and each node's link to its new slot.
    for (let i = 0; i < n; i++) {
      sLink[4 * i] = i + 1 < n ? i + 1 : -1;
      sLink[4 * i + 1] = i - 1;
      this.setLink(this.slotNode(i), -(i + 1));
    }
    this.sTail = n > 0 ? 0 : -1;
    this.sHead = n - 1;
    this.sFree = -1;
    this.sFresh = n;
  }

  /**
   * Removes `id` (its page was freed or unmapped). If it was in the scan list and protected
   * entities exist, the first protected entity enters the scan list and is unprotected.
   * Returns false if `id` was not tracked.
   */
  remove(id: number): boolean {
    if (!isPageId(id)) return false;
    const x = this.find(id);
    if (x < 0) return false;
    this.version++;
    const c = this.c;
    c.removes++;
    const link = this.linkOf(x);
    if (link >= 0) {
      this.protectedCount--;
      if (link === this.deadHi) {
        // Lazily, like a fake fault at deadHi (see `deadLo`).
        this.dead++;
        this.deadHi =
          this.protectedCount > this.coldLive
            ? lowestMarkFrom(this.marks.bits, link + 1)
            : this.clock + 1;
      } else {
        this.marks.clear(link);
        if (link < this.deadLo) this.coldLive--;
      }
    } else {
      const s = -link - 1;
      this.unlinkSlot(s);
      if (this.protectedCount > 0) {
        // The most recently protected entity is the first one behind the scan list (the
        // highest mark, unless every live mark is below the dead ones).
        const above = this.protectedCount > this.coldLive;
        const t = this.marks.highestAtOrBelow(above ? this.clock : this.deadLo - 1);
        const newcomer = this.timeToNode[t]!;
        this.marks.clear(t);
        this.protectedCount--;
        if (!above) {
          // The dead marks would be above the new top: they go now.
          this.dropDead();
          this.coldLive--;
          this.deadLo = t;
          this.deadHi = t;
        }
        this.clock = t - 1; // nothing live above t: reuse those times
        this.marks.lower(t - 1);
        const newId = this.idOf(newcomer);
        this.sId[2 * s + 1] = newId;
        this.sNode[s] = newcomer;
        this.setLink(newcomer, -(s + 1));
        this.pushTailSlot(s);
        c.unprotects++;
        this.port.unprotect(newId);
      } else {
        this.sLink[4 * s + 1] = this.sFree;
        this.sFree = s;
        this.scanLen--;
      }
    }
    if (this.dlink !== null) this.dlink[x] = UNTRACKED;
    else this.table!.deleteAt(x, this.moved);
    this.count--;
    return true;
  }

  /** Starts a new measuring window: hit counters and misses back to 0 (the list is kept). */
  resetWindow(): void {
    this.hits.fill(0);
    this.misses = 0;
    this.maxCount = this.count;
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
    n = Math.max(n, Math.ceil(this.count / this.groupSize));
    return new GroupHits(this.groupSize, this.hits.subarray(0, n), this.misses, this.maxCount);
  }

  /** The curve of the current window; see {@link GroupHits.curve}. */
  curve(sizes?: ArrayLike<number>): HitRatioCurve {
    return this.snapshot().curve(sizes);
  }

  /** Bytes of the tracker's typed arrays: static (created with it) and per node. */
  spaceReport(): TrackerSpaceReport {
    const capacity = this.nodeCap;
    const parts: TrackerSpacePart[] = [
      {
        name: 'scan list: [prev, next (Int32), entity id (Float64)] and node (Int32Array) per slot',
        bytes: this.sLink.byteLength + this.sNode.byteLength,
        perNode: false,
      },
      {
        name: 'hit counter per group of positions (Float64Array, 8 B per groupSize nodes)',
        bytes: this.hits.byteLength,
        perNode: true,
      },
      this.dlink !== null
        ? {
            name: `nodes = link by entity id (Int32Array, while ids < ${DIRECT_PER_NODE} × capacity)`,
            bytes: this.dlink.byteLength,
            perNode: true,
          }
        : {
            name: `nodes = hash table: [id, link] per slot (Float64Array, load ≤ ${MAX_LOAD})`,
            bytes: this.table!.byteLength,
            perNode: true,
          },
      {
        name: 'protection time → node (Int32Array, 2 times per node)',
        bytes: this.timeToNode.byteLength,
        perNode: true,
      },
      {
        name: 'live-time bitmap (Int32Array) + counts of its marks by runs of words (TimeMarks)',
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
      nodes: this.count,
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
    if ((this.dlink === null) === (this.table === null)) fail('exactly one of dlink and table');
    let n = 0;
    let p = -1;
    for (let s = this.sHead; s >= 0; s = this.sLink[4 * s + 1]!) {
      if (this.sLink[4 * s] !== p) fail(`prev of scan slot ${s}`);
      const x = this.slotNode(s);
      if (this.idOf(x) !== this.sId[2 * s + 1]) fail(`scan slot ${s}: id and node disagree`);
      if (this.find(this.sId[2 * s + 1]!) !== x) fail(`hash position of node ${x}`);
      if (this.linkOf(x) !== -(s + 1)) fail(`link of scan node ${x}`);
      p = s;
      if (++n > this.scanListSize) fail('scan list longer than its size');
    }
    if (p !== this.sTail) fail('scan tail');
    if (n !== this.scanLen) fail(`scanLen ${this.scanLen} but ${n} in the scan list`);
    let prot = 0;
    const lo = this.deadLo;
    const hi = this.deadHi;
    if (!(0 <= lo && lo <= hi && hi <= this.clock + 1)) fail(`dead interval [${lo}, ${hi})`);
    let deadMarks = 0;
    for (let t = lo; t < hi; t++) {
      if (!this.marks.has(t)) continue;
      deadMarks++;
      const x = this.timeToNode[t]!;
      if (this.find(this.idOf(x)) === x && this.linkOf(x) === t)
        fail(`live mark ${t} in [${lo}, ${hi})`);
    }
    if (deadMarks !== this.dead) fail(`${deadMarks} marks in [${lo}, ${hi}), ${this.dead} counted`);
    let cold = 0;
    for (let t = 0; t < lo; t++) if (this.marks.has(t)) cold++;
    if (cold !== this.coldLive) fail(`${cold} live marks below ${lo}, ${this.coldLive} counted`);
    let next = hi;
    while (next <= this.clock && !this.marks.has(next)) next++;
    if (next !== hi) fail(`the lowest live mark from ${lo} is ${next}, not ${hi}`);
    for (let t = 0; t <= this.clock; t++) {
      if (!this.marks.has(t) || (t >= lo && t < hi)) continue;
      const x = this.timeToNode[t]!;
      if (this.linkOf(x) !== t) fail(`protection time of node ${x}`);
      if (this.find(this.idOf(x)) !== x) fail(`hash position of node ${x}`);
      prot++;
    }
    if (this.marks.highestAtOrBelow(this.marks.cap - 1) > this.clock) fail('mark above the clock');
    if (prot !== this.protectedCount) fail('protectedCount');
    if (prot > 0 && n !== this.scanListSize) fail('protected entities behind a short scan list');
    if (n + prot !== this.count) fail(`size ${this.count} but ${n + prot} listed`);
    if (this.marks.live !== prot + this.dead || this.marks.top !== this.clock) {
      fail('marks: live or top');
    }
    for (let t = 0, k = 0; t <= this.clock; t++) {
      if (!this.marks.has(t) || (t >= lo && t < hi)) continue;
      const dead = t >= hi ? this.dead : 0;
      if (this.marks.below(t) !== dead + k++) fail(`marks below protection time ${t}`);
    }
    let used = 0;
    if (this.table !== null) {
      const recs = this.table.recs;
      for (let i = 0; i < this.table.slotCount; i++) if (recs[2 * i] !== -1) used++;
      if (used !== this.table.size) fail('table size');
      if (this.table.capacity !== this.nodeCap) fail('table capacity');
    } else {
      const dlink = this.dlink!;
      for (let i = 0; i < dlink.length; i++) if (dlink[i] !== UNTRACKED) used++;
      if (dlink.length > DIRECT_PER_NODE * this.nodeCap) fail('direct link array too long');
    }
    if (used !== this.count) fail('node count');
    if (this.count > this.nodeCap) fail('more nodes than capacity');
  }

  // ---- internals ----------------------------------------------------------------------

  /** The node of `id` (a valid id): the id itself in the direct array, or its table slot; −1 if untracked. */
  private find(id: number): number {
    const dlink = this.dlink;
    if (dlink !== null) return id < dlink.length && dlink[id] !== UNTRACKED ? id : -1;
    const table = this.table!;
    const x = table.probe(id);
    return table.recs[2 * x] === id ? x : -1;
  }

  private linkOf(x: number): number {
    return this.dlink !== null ? this.dlink[x]! : this.table!.recs[2 * x + 1]!;
  }

  private setLink(x: number, link: number): void {
    if (this.dlink !== null) this.dlink[x] = link;
    else this.table!.recs[2 * x + 1] = link;
  }

  /** The node of the entity in scan slot s. */
  private slotNode(s: number): number {
    return this.dlink !== null ? this.sId[2 * s + 1]! : this.sNode[s]!;
  }

  private idOf(x: number): number {
    return this.dlink !== null ? x : this.table!.recs[2 * x]!;
  }

  /** Doubles the node capacity (moving to the direct array if every id now fits it). */
  private growNodes(): void {
    this.tableBits++;
    if (this.table !== null) {
      this.table.grow(this.moved);
      this.nodeCap = this.table.capacity;
      if (this.maxId < DIRECT_LIMIT && this.maxId < DIRECT_PER_NODE * this.nodeCap) this.toDirect();
    } else {
      this.nodeCap = Math.floor(2 ** this.tableBits * MAX_LOAD);
    }
    this.fitToTable();
  }

  /** Makes room for `id` in the direct array, or moves every node to the hash table. */
  private widen(id: number): void {
    const dlink = this.dlink!;
    let length = dlink.length;
    while (length <= id && length < DIRECT_LIMIT) length *= 2;
    if (length > id && length <= DIRECT_PER_NODE * this.nodeCap) {
      const wider = new Int32Array(length).fill(UNTRACKED);
      wider.set(dlink);
      this.dlink = wider;
    } else {
      this.toHashed();
    }
  }

  /** Moves every node from the hash table to a direct array (nodes become ids). */
  private toDirect(): void {
    const table = this.table!;
    let length = 16;
    while (length <= this.maxId) length *= 2;
    const dlink = new Int32Array(length).fill(UNTRACKED);
    const recs = table.recs;
    for (let i = 0; i < recs.length; i += 2) if (recs[i] !== -1) dlink[recs[i]!] = recs[i + 1]!;
    this.dlink = dlink;
    this.table = null;
    for (let id = 0; id < length; id++) if (dlink[id] !== UNTRACKED) this.moved(id, dlink[id]!);
  }

  /** Moves every node from the direct array to a hash table (nodes become slots). */
  private toHashed(): void {
    const dlink = this.dlink!;
    const table = new RecordTable(this.nodeCap, MAX_LOAD);
    for (let id = 0; id < dlink.length; id++) {
      const link = dlink[id]!;
      if (link === UNTRACKED) continue;
      const x = table.probe(id);
      table.insertAt(x, id, link);
      this.moved(x, link);
    }
    this.table = table;
    this.dlink = null;
    this.tableBits = table.bits;
    if (table.capacity !== this.nodeCap) {
      this.nodeCap = table.capacity;
      this.fitToTable();
    }
  }

  /** Fixes the pointer to a node that the hash table moved to `slot`. */
  private readonly moved = (slot: number, link: number): void => {
    if (link >= 0) this.timeToNode[link] = slot;
    else this.sNode[-link - 1] = slot;
  };

  private pushHeadSlot(s: number): void {
    const sLink = this.sLink;
    const h = this.sHead;
    sLink[4 * s] = -1;
    sLink[4 * s + 1] = h;
    if (h >= 0) sLink[4 * h] = s;
    else this.sTail = s;
    this.sHead = s;
  }

  private pushTailSlot(s: number): void {
    const sLink = this.sLink;
    const t = this.sTail;
    sLink[4 * s + 1] = -1;
    sLink[4 * s] = t;
    if (t >= 0) sLink[4 * t + 1] = s;
    else this.sHead = s;
    this.sTail = s;
  }

  private unlinkSlot(s: number): void {
    const sLink = this.sLink;
    const p = sLink[4 * s]!;
    const q = sLink[4 * s + 1]!;
    if (p >= 0) sLink[4 * p + 1] = q;
    else this.sHead = q;
    if (q >= 0) sLink[4 * q] = p;
    else this.sTail = p;
  }

  /** Protects node x (entity `id`), which just fell out of the scan list. */
  private protectNode(x: number, id: number): void {
    if (this.clock + 1 === this.timeToNode.length) this.compact();
    const t = ++this.clock;
    this.marks.push(t);
    this.timeToNode[t] = x;
    this.setLink(x, t);
    this.protectedCount++;
    this.c.protects++;
    this.port.protect(id);
  }

  /** Renumbers the live protection times 0..protectedCount − 1 in order. */
  private compact(): void {
    this.c.compactions++;
    this.renumberInto(this.marks, this.timeToNode);
  }

  /**
   * Clears the dead marks' bits (in [deadLo, deadHi), where nothing else is set) from the
   * bitmap alone, for the two callers that need nothing more: compaction rebuilds the counts,
   * and a removal lowers the top below them (counts above the top are never read).
   */
  private dropDead(): void {
    if (this.dead === 0) return;
    const bits = this.marks.bits;
    for (let t = this.deadLo; t < this.deadHi; ) {
      const w = t >>> 5;
      const end = Math.min(this.deadHi, (w + 1) << 5);
      const n = end - t;
      const mask = n === 32 ? -1 : ((1 << n) - 1) << (t & 31);
      bits[w] = bits[w]! & ~mask;
      t = end;
    }
    this.marks.live -= this.dead;
    this.dead = 0;
  }

  /** Moves the live protection times, in order, to 0..k − 1 of `marks` / `timeToNode`. */
  private renumberInto(marks: TimeMarks, timeToNode: Int32Array<ArrayBuffer>): void {
    const bits = this.marks.bits;
    const from = this.timeToNode;
    let k = 0;
    if (this.clock >= 0) {
      this.dropDead();
      for (let w = 0; w <= this.clock >>> 5; w++) {
        let x = bits[w]!;
        while (x !== 0) {
          const t = (w << 5) | (31 - Math.clz32(x & -x));
          x &= x - 1;
          const node = from[t]!;
          timeToNode[k] = node;
          this.setLink(node, k++);
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
    this.deadLo = 0;
    this.deadHi = 0;
    this.strays = 0;
    this.strayAt = -1;
    this.coldLive = 0;
  }

  /** Sizes the scan list, the protection times and the hit counters to the table's capacity. */
  private fitToTable(): void {
    const capacity = this.nodeCap;
    const scanCap = Math.min(this.scanListSize, capacity);
    if (scanCap > this.sNode.length) {
      const sLink = new Int32Array(4 * scanCap);
      sLink.set(this.sLink);
      this.sLink = sLink;
      this.sId = new Float64Array(sLink.buffer);
      const sNode = new Int32Array(scanCap);
      sNode.set(this.sNode);
      this.sNode = sNode;
    }
    this.renumberInto(new TimeMarks(2 * capacity), new Int32Array(2 * capacity));
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

/** The lowest marked time ≥ t in `bits`; one must exist. */
function lowestMarkFrom(bits: Int32Array, t: number): number {
  let w = t >>> 5;
  let x = bits[w]! & (-1 << (t & 31));
  while (x === 0) x = bits[++w]!;
  return (w << 5) | (31 - Math.clz32(x & -x));
}
