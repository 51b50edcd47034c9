/**
 * The CvHRC wiring (paper.md, "The scheme"): one {@link CvhrcTracker} per context, fed by
 * the emulated kernel.
 *
 * - **Entities.** All the virtual pages of one context that map one physical page are one
 *   entity (the paper's change 2, found through rmap, §C): the entity id is the frame
 *   number, so COW pages after fork and shm attached twice inside a context are one entity
 *   until a write breaks the COW (the copy is a new entity). A frame that becomes mapped
 *   outside the context (another context, or a host task) leaves the tracker and is left to
 *   Linux until nobody maps it any more. A frame whose last PTE in the context goes (munmap,
 *   exit, COW, reclaim) is removed; brought back (swap-in) it is a first touch again.
 * - **Fake faults.** A protected entity has PTE_TRACKING set in every PTE that maps it, so any
 *   access traps into mm's `trackingFault` hook: the tracker counts the hit and moves the
 *   entity to the MRU end, and the PTEs are disarmed.
 * - **Scan.** A kernel timer per context wakes the `kcvhrcd` kernel thread, which runs the
 *   tracker's scan: for each scan-list entity the young bits of its PTEs are tested and
 *   cleared (ptep_clear_flush_young, one TLB flush per young PTE).
 * - **Reclaim keeps its information.** A young bit the scan (or an arming) clears is handed to
 *   reclaim as PG_referenced, which page_referenced counts (§A2); a young bit reclaim clears
 *   first is handed to the scan through mm's `youngCleared` hook.
 * - **The faulting access.** The access that took a fault (a first touch or a fake fault) is
 *   retried after the handler and sets the young bit again; that bit is owed to the fault,
 *   which already counted the reference, so the next test of the entity discounts one young
 *   PTE — the trace host's rule that the faulting access does not also set the bit.
 * - **Costs.** Every piece of work is charged to the simulated clock (kernel.chargeSystem, to
 *   the task or kernel thread doing it) through the cost model, and counted.
 */
import { PTE_ACCESSED, PTE_PRESENT, PTE_TRACKING, type PageTable } from '@cvhrc/hw';
import type { GroupHits } from '@cvhrc/core';
import {
  CvhrcTracker,
  ExactLru,
  HitRatioCurve,
  meanAbsoluteError,
  pageNeed,
  type TrackerCounters,
  type TrackerPort,
  type TrackerSpaceReport,
} from '@cvhrc/core';
import {
  PG_ANON,
  PG_REFERENCED,
  PG_RESERVED,
  Task,
  type Kernel,
  type MmStruct,
  type TouchRunOrder,
  type Vma,
} from '@cvhrc/mm';
import { vxContextOf, type VxContext } from './context.js';
import { VxError } from './errors.js';

/** The host option that stands for the kernel build switch (`cvhrc: { … }`). */
export interface CvhrcOptions {
  /** Track every context (default true when the option is given). */
  readonly enabled?: boolean;
  /** Scan-list size in entities; default 8192, the paper's pilot-study choice. */
  readonly scanList?: number;
  /** LRU positions per hit counter (group); default 256 (core's default, 1 MiB). */
  readonly group?: number;
  /** Period of each context's scan, simulated ms; default {@link DEFAULT_SCAN_INTERVAL_MS}. */
  readonly scanIntervalMs?: number;
  /** Keep an exact curve of each context's references beside the tracker (default false). */
  readonly oracle?: boolean;
  /**
   * Hand young bits the scan clears to reclaim as PG_referenced (default true). Off, the scan
   * robs page_referenced of them — for measuring the effect.
   */
  readonly keepReferenced?: boolean;
  /** Cost of one LRU-list operation (insert, move, remove with its hash lookup), ns. */
  readonly listOpNs?: number;
  /** Cost of one group boundary-marker shift, ns. */
  readonly markerShiftNs?: number;
}

/**
 * Default scan period: 100 ms. The paper gives none. Shorter periods count more of the
 * re-references inside the scan list (a scan sees at most one per entity per period) and
 * cost more: a full 8192-entity scan with every entity young costs about 1.5 ms of one CPU
 * on the Table 1 machine (PTE test, TLB flush, list move), 1.5 % at 100 ms.
 */
export const DEFAULT_SCAN_INTERVAL_MS = 100;
/**
 * Cycles of one LRU-list operation (assumption, no published figure): a hash lookup that
 * misses the cache (~60 cycles) plus unlinking and linking a node (~40).
 */
export const LIST_OP_CYCLES = 100;
/** Cycles of one group-marker shift (assumption): one pointer step along the list. */
export const MARKER_SHIFT_CYCLES = 10;

/** Work of one context's tracking: the tracker's own counters plus what the kernel side did. */
export interface CvhrcCounters extends TrackerCounters {
  /** PTEs read by the scan, arming and disarming (each charged pteScanNs). */
  readonly ptesScanned: number;
  /** TLB entries flushed (young bits cleared, PTEs armed; each charged tlbFlushPageNs). */
  readonly tlbFlushes: number;
  /** Tracking-fault traps taken (each charged protectionFaultNs), fake faults included. */
  readonly traps: number;
  /** LRU-list operations charged (first touches, moves, removes). */
  readonly listOps: number;
  /** Entities that left the tracker because a second context (or the host) mapped them. */
  readonly untracked: number;
  /** Young bits handed to reclaim as PG_referenced. */
  readonly keptForReclaim: number;
  /** Young bits reclaim cleared that the scan counted as references. */
  readonly fromReclaim: number;
  /** Simulated time charged for all of the above, ns. */
  readonly trackingNs: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const HOST_COUNTERS = {
  ptesScanned: 0,
  tlbFlushes: 0,
  traps: 0,
  listOps: 0,
  untracked: 0,
  keptForReclaim: 0,
  fromReclaim: 0,
  trackingNs: 0,
};
type HostCounters = Mutable<typeof HOST_COUNTERS>;

/** A point in a context's measurement, to take the window after it (`hrc(xid, mark)`). */
export interface HrcMark {
  readonly xid: number;
  readonly timeNs: number;
  readonly hits: GroupHits;
  readonly counters: CvhrcCounters;
  /** The oracle's stack-distance histogram and references at the mark. */
  readonly oracleHistogram: Float64Array | null;
  readonly oracleReferences: number;
}

/** The exact curve of the same window, from the oracle. */
export interface HrcOracle {
  /** Exact LRU curve at the tracker curve's sizes. */
  readonly curve: HitRatioCurve;
  readonly pageNeed: number;
  /** Mean absolute error of the tracker's curve against it, over those sizes. */
  readonly mae: number;
  /** References to the context's entities in the window. */
  readonly references: number;
  /** References (all windows) to pages the context maps but does not track (shared). */
  readonly untrackedReferences: number;
}

/** A context's measured curve: what `/proc/virtual/<xid>/hrc` shows. */
export interface HrcResult {
  readonly xid: number;
  /** The window: from `sinceNs` to `nowNs`. */
  readonly sinceNs: number;
  readonly nowNs: number;
  /** The tracker's hit-ratio curve of the window (sizes in pages, at group ends). */
  readonly curve: HitRatioCurve;
  /** The page need: core's `pageNeed` (slope method) of the curve. */
  readonly pageNeed: number;
  /** The window's counts per group. */
  readonly hits: GroupHits;
  /** Tracking work in the window. */
  readonly counters: CvhrcCounters;
  /** The tracker's space now (Table 2). */
  readonly space: TrackerSpaceReport;
  /** Entities tracked now. */
  readonly entities: number;
  /** With the oracle on. */
  readonly oracle?: HrcOracle;
}

/** The frame is mapped outside the context that first mapped it: nobody tracks it. */
const SHARED = -1;

// A frame's record in CvhrcBridge.rec: four words at 4 × frame — one cache line holds what a
// fake fault, an arming or a scan's test reads of the frame on the kernel side.
/** The xid of the context that tracks the frame; 0 none; SHARED mapped across contexts. */
const R_OWNER = 0;
/** F_* bits. */
const R_FLAGS = 1;
/**
 * While the frame is tracked: its page->mapping as its first touch found it, which no PTE
 * change alters while it is mapped — the anon_vma id, or minus the address_space id of a file
 * page; 0 none.
 */
const R_MAPPING = 2;
/** The slot of the frame's PTE where tracking last saw it (first touch, a walk): a guess. */
const R_SLOT = 3;

// Bits of a frame's R_FLAGS word.
/** The faulting access's young bit is still to come / still set (see the file comment). */
const F_OWED = 1;
/** Reclaim cleared a young bit of the frame since the scan last tested it. */
const F_RECLAIM_REF = 2;
/**
 * The frame's entity is protected (its PTEs armed): kept by the port's protect and unprotect
 * and cleared when the entity leaves its tracker, so that a tracking fault and a new PTE of
 * the entity learn the state from this bit instead of a tracker lookup.
 */
const F_ARMED = 4;
/**
 * The frame's context maps it with one PTE: while the frame is tracked, page_mapcount is its
 * context's count of PTEs (a PTE elsewhere untracks it), so this is page_mapcount == 1, kept
 * by pageMapped and pageUnmapped.
 */
const F_SINGLE = 8;
/** A protected frame with one PTE: what a run's page must be. */
const ARMED_SINGLE = F_ARMED | F_SINGLE;

const OP_TEST = 0;
const OP_PROTECT = 1;
const OP_UNPROTECT = 2;

/**
 * The walk's operation on one present PTE of the frame, at `mem[at]` (value `pte`): returns
 * bit 0 set for a young bit found, bit 1 for a TLB flush.
 */
function applyToPte(mem: Int32Array, at: number, pte: number, op: number): number {
  if (op === OP_TEST) {
    if ((pte & PTE_ACCESSED) === 0) return 0;
    mem[at] = pte & ~PTE_ACCESSED;
    return 3; // ptep_clear_flush_young
  }
  if (op === OP_PROTECT) {
    mem[at] = (pte | PTE_TRACKING) & ~PTE_ACCESSED;
    // The PTE stops being usable: flush_tlb_page.
    return (pte & PTE_ACCESSED) !== 0 ? 3 : 2;
  }
  if ((pte & PTE_TRACKING) !== 0) mem[at] = pte & ~PTE_TRACKING;
  return 0;
}

const checkPositive = (name: string, v: number, integer: boolean): void => {
  if (!(v > 0) || (integer && !Number.isSafeInteger(v))) {
    throw new RangeError(
      `cvhrc.${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`,
    );
  }
};

/** Resolved options. */
interface Settings {
  readonly scanList: number;
  readonly group: number;
  readonly scanIntervalNs: number;
  readonly oracle: boolean;
  readonly keepReferenced: boolean;
  readonly listOpNs: number;
  readonly markerShiftNs: number;
}

/** Most fake faults a planned run takes (the run's arrays are this long). */
const RUN_MAX = 4096;

/** A run of fake faults planned by `CvhrcBridge.planRun`, until its commit. */
class PlannedRun {
  count = 0;
  ct: ContextTracking | null = null;
  /** The faulting pages' page table, and the one of the PTEs armed. */
  pt: PageTable | null = null;
  armPt: PageTable | null = null;
  /** Per fault: the frame, its PTE's slot and the PTE as it was (armed). */
  readonly frames: Int32Array;
  readonly at: Int32Array;
  readonly pte: Int32Array;
  /** Per fault: the entity falling out of the scan list, and the slot of its PTE. */
  readonly fallen: Float64Array;
  readonly fallenAt: Int32Array;
  constructor(size: number) {
    this.frames = new Int32Array(size);
    this.at = new Int32Array(size);
    this.pte = new Int32Array(size);
    this.fallen = new Float64Array(size);
    this.fallenAt = new Int32Array(size);
  }
}

/**
 * A guess at where the next PTE to arm (or test) is: `step` slots on from the last one found,
 * the step being the distance between the last two (1 for a forward sweep, a stride, −1
 * backwards). Host speed only.
 */
class PteGuess {
  pt: PageTable | null = null;
  at = -1;
  step = 1;
}

/** One context's tracker and its port onto the kernel. */
export class ContextTracking implements TrackerPort {
  readonly ctx: VxContext;
  readonly tracker: CvhrcTracker;
  readonly oracle: ExactLru | null;
  oracleUntracked = 0;
  readonly host: HostCounters = { ...HOST_COUNTERS };
  /** Tracker counts already charged for. */
  chargedListOps = 0;
  chargedShifts = 0;
  cancelTimer: (() => void) | null = null;
  alive = true;
  // Where the PTE of the page being disarmed, armed or tested probably is (host speed only;
  // see CvhrcBridge's `walkAt`): the faulting PTE of the fake fault in progress; for arming
  // and the scan's test, one step on from the PTE the last one found (a sweep arms its pages
  // in order, a scan meets them in that order).
  faultPt: PageTable | null = null;
  faultAt = -1;
  readonly armGuess = new PteGuess();
  readonly testGuess = new PteGuess();
  /** Window start (creation or the last reset). */
  windowNs: number;
  /** The counters and oracle at the last reset (null: since creation). */
  windowBase: HrcMark | null = null;
  readonly #bridge: CvhrcBridge;

  constructor(bridge: CvhrcBridge, ctx: VxContext, s: Settings, nowNs: number) {
    this.#bridge = bridge;
    this.ctx = ctx;
    this.tracker = new CvhrcTracker(this, { scanListSize: s.scanList, groupSize: s.group });
    this.oracle = s.oracle ? new ExactLru({ initialCapacity: 4096 }) : null;
    this.windowNs = nowNs;
  }

  // ---- TrackerPort ------------------------------------------------------------------
  // Ids are frames: `id | 0` keeps the arithmetic on them in integers (the tracker hands
  // them over as doubles, from its Float64Array of ids).

  /** The scan's test: young bits of the entity's PTEs, tested and cleared. */
  testAndClearReferenced(id: number): boolean {
    const frame = id | 0;
    const b = this.#bridge;
    const young = b.walkGuessed(this, frame, OP_TEST, this.testGuess);
    let refs = young;
    const r = 4 * frame + R_FLAGS;
    const f = b.rec[r]!;
    if ((f & (F_RECLAIM_REF | F_OWED)) !== 0) {
      if ((f & F_RECLAIM_REF) !== 0) {
        refs++;
        this.host.fromReclaim++;
      }
      if ((f & F_OWED) !== 0) refs--;
      b.rec[r] = f & ~(F_RECLAIM_REF | F_OWED);
    }
    return refs > 0;
  }

  /**
   * The scan will test `id` soon: reads its record and the PTE where it was last seen (where
   * the test will look when the step guess misses), so that the misses of several tests
   * overlap. Changes nothing (host speed only).
   */
  testSoon(id: number): number {
    const rec = this.#bridge.rec;
    const slot = rec[4 * (id | 0) + R_SLOT]!;
    const mem = this.testGuess.pt?.mem;
    return mem !== undefined && slot >= 0 && slot < mem.length ? mem[slot]! : 0;
  }

  /** Arms every PTE of the entity (its next access takes a fake fault). */
  protect(id: number): void {
    const frame = id | 0;
    const b = this.#bridge;
    b.walkGuessed(this, frame, OP_PROTECT, this.armGuess);
    const r = 4 * frame + R_FLAGS;
    b.rec[r] = (b.rec[r]! & F_SINGLE) | F_ARMED;
  }

  /** Disarms every PTE of the entity. */
  unprotect(id: number): void {
    const frame = id | 0;
    const b = this.#bridge;
    if (b.walkAt(this, frame, OP_UNPROTECT, this.faultPt, this.faultAt) < 0) {
      b.walk(this, frame, OP_UNPROTECT);
    }
    const r = 4 * frame + R_FLAGS;
    b.rec[r] = b.rec[r]! & ~F_ARMED;
  }

  /** Tracker counters plus the kernel side's, as one record. */
  counters(): CvhrcCounters {
    const listOps = this.host.listOps;
    return { ...this.tracker.counters, ...this.host, listOps };
  }
}

/**
 * The kernel side of CvHRC for a host: per-frame state shared by every context's tracker
 * (which context tracks a frame, owed and reclaim-cleared young bits), the hooks it serves,
 * the scan kernel thread. Created by {@link VServerHost} when `cvhrc.enabled`.
 */
export class CvhrcBridge {
  readonly kernel: Kernel;
  readonly settings: Settings;
  /**
   * Per frame, four words (R_*): the context that tracks it, its F_* bits, its mapping as
   * tracking knows it, and where its PTE was last seen.
   */
  readonly rec: Int32Array;
  /** The kernel thread that runs the scans. */
  readonly thread = new Task(0, 'kcvhrcd', null);
  /** Tracking faults on PTEs no tracker claims (a stale bit; cleared). */
  staleTraps = 0;
  /** The page table and slot of the last PTE `walk` applied its operation to. */
  foundPt: PageTable | null = null;
  foundAt = -1;
  readonly #contexts = new Map<number, ContextTracking>();
  /** The same by xid, for the per-page paths (xids are below 2^16). */
  readonly #byXid: (ContextTracking | undefined)[] = [];
  // The page descriptors' fields and the costs, held directly for the per-fault paths (both
  // are fixed for the kernel's life).
  readonly #mapcount: Int32Array;
  readonly #mapping: Int32Array;
  readonly #index: Int32Array;
  readonly #pflags: Uint32Array;
  readonly #pteScanNs: number;
  readonly #tlbFlushNs: number;
  readonly #trapNs: number;

  constructor(kernel: Kernel, options: CvhrcOptions) {
    const scanList = options.scanList ?? 8192;
    const group = options.group ?? 256;
    const intervalMs = options.scanIntervalMs ?? DEFAULT_SCAN_INTERVAL_MS;
    checkPositive('scanList', scanList, true);
    checkPositive('group', group, true);
    checkPositive('scanIntervalMs', intervalMs, false);
    const hz = kernel.machine.config.cpu.clockHz;
    const listOpNs = options.listOpNs ?? (LIST_OP_CYCLES * 1e9) / hz;
    const markerShiftNs = options.markerShiftNs ?? (MARKER_SHIFT_CYCLES * 1e9) / hz;
    if (!(listOpNs >= 0) || !(markerShiftNs >= 0)) {
      throw new RangeError('cvhrc.listOpNs and cvhrc.markerShiftNs must be ≥ 0');
    }
    this.kernel = kernel;
    this.settings = {
      scanList,
      group,
      scanIntervalNs: Math.max(1, Math.round(intervalMs * 1e6)),
      oracle: options.oracle ?? false,
      keepReferenced: options.keepReferenced ?? true,
      listOpNs,
      markerShiftNs,
    };
    const frames = kernel.pages.frameCount;
    this.rec = new Int32Array(4 * frames);
    const pages = kernel.pages;
    this.#mapcount = pages.mapcount;
    this.#mapping = pages.mapping;
    this.#index = pages.index;
    this.#pflags = pages.flags;
    this.#pteScanNs = kernel.costs.pteScanNs;
    this.#tlbFlushNs = kernel.costs.tlbFlushPageNs;
    this.#trapNs = kernel.costs.protectionFaultNs;
  }

  /** The tracking of context `xid`, or undefined. */
  context(xid: number): ContextTracking | undefined {
    return this.#contexts.get(xid);
  }

  /** A context was created: its tracker. */
  contextCreated(ctx: VxContext): ContextTracking {
    const ct = new ContextTracking(this, ctx, this.settings, this.kernel.clock.now);
    this.#contexts.set(ctx.xid, ct);
    this.#byXid[ctx.xid] = ct;
    ctx.tracking = ct;
    return ct;
  }

  /** A context was destroyed (it maps nothing): its tracker goes. */
  contextDestroyed(xid: number): void {
    const ct = this.#contexts.get(xid);
    if (ct === undefined) return;
    ct.alive = false;
    if (ct.ctx.tracking === ct) ct.ctx.tracking = null;
    this.#byXid[xid] = undefined;
    ct.cancelTimer?.();
    ct.cancelTimer = null;
    this.#contexts.delete(xid);
  }

  /** Trackers alive. */
  get trackers(): number {
    return this.#contexts.size;
  }

  /** An mm was charged to `ctx`: the oracle observes it; the scan timer runs while it has mms. */
  mmAdded(ctx: VxContext, mm: MmStruct): void {
    const ct = this.#contexts.get(ctx.xid);
    if (ct === undefined) return;
    const oracle = ct.oracle;
    if (oracle !== null) {
      const rec = this.rec;
      const xid = ctx.xid;
      // References of the pass in progress (tracked, untracked), so that repeats of a
      // fault-free pass the touch loop charges at once reach the oracle exactly.
      let passTracked = 0;
      let passUntracked = 0;
      mm.accessObserver = (_vpn, frame) => {
        if (rec[4 * frame + R_OWNER] === xid) {
          oracle.access(frame);
          passTracked++;
        } else if ((this.kernel.pages.flags[frame]! & PG_RESERVED) === 0) {
          ct.oracleUntracked++;
          passUntracked++;
        }
      };
      mm.accessPasses = {
        passStart: () => {
          passTracked = 0;
          passUntracked = 0;
        },
        repeatPass: (passes) => {
          if (passTracked > 0 && !oracle.repeatLastPass(passTracked, passes)) return false;
          ct.oracleUntracked += passUntracked * passes;
          return true;
        },
      };
    }
    if (ct.cancelTimer === null) {
      const period = this.settings.scanIntervalNs;
      ct.cancelTimer = this.kernel.addTimer(period, () => this.#scanTimer(ct), period);
    }
  }

  /** An mm of `ctx` went; with the last one the scan timer stops (so runs can end). */
  mmRemoved(ctx: VxContext, mm: MmStruct): void {
    mm.accessObserver = null;
    mm.accessPasses = null;
    const ct = this.#contexts.get(ctx.xid);
    if (ct === undefined || ctx.mms.size > 0) return;
    ct.cancelTimer?.();
    ct.cancelTimer = null;
  }

  /** Stops the scan timer of context `xid`. */
  stopTimer(xid: number): void {
    const ct = this.#contexts.get(xid);
    ct?.cancelTimer?.();
    if (ct !== undefined) ct.cancelTimer = null;
  }

  #scanTimer(ct: ContextTracking): void {
    const k = this.kernel;
    const runner = k.kthreadRunner;
    if (runner !== null) {
      runner(this.thread, () => {
        if (ct.alive) this.scan(ct);
      });
      return;
    }
    // No scheduler: the thread runs at once (time advances the clock).
    const previous = k.current;
    k.current = this.thread;
    try {
      this.scan(ct);
    } finally {
      k.current = previous;
    }
  }

  /** One scan of a context's scan list, charged to the current task (the kernel thread). */
  scan(ct: ContextTracking): void {
    // Nothing maps or unmaps during a scan (the port only tests and clears bits): the one-VMA
    // answer for a mapping holds through it, as through a run's plan.
    this.#onlyMapping = 0;
    this.#scanning = true;
    try {
      ct.tracker.scan();
    } finally {
      this.#scanning = false;
    }
    this.chargeList(ct);
  }
  /** True during {@link scan}: walkAt may take #oneVma's cached answer. */
  #scanning = false;

  // ---- mm hooks ---------------------------------------------------------------------

  /** pageMapped, after the host's accounting (ctx.frameMaps already counts this PTE). */
  pageMapped(mm: MmStruct, vpn: number, frame: number): void {
    const k = this.kernel;
    if (k.pages.flags[frame]! & PG_RESERVED) return; // ZERO_PAGE
    const ctx = vxContextOf(mm);
    const rec = this.rec;
    const r = 4 * frame;
    const own = rec[r + R_OWNER]!;
    if (ctx === undefined) {
      // A host task maps it: whoever tracked it lets it go.
      if (own > 0) this.#untrack(own, frame);
      else if (own === 0 && k.pages.mapCount(frame) > 1) rec[r + R_OWNER] = SHARED;
      if (own !== 0) this.#clearArmed(mm, vpn);
      return;
    }
    const ct = ctx.tracking;
    if (ct === null) return;
    const inside = ctx.frameMaps[frame]!;
    if (own === 0) {
      if (k.pages.mapCount(frame) > inside) {
        rec[r + R_OWNER] = SHARED;
        this.#clearArmed(mm, vpn);
        return;
      }
      if (inside !== 1) return; // mapped before tracking knew it (not tracked)
      rec[r + R_OWNER] = ctx.xid;
      rec[r + R_FLAGS] = F_OWED | F_SINGLE;
      const mapping = this.#mapping[frame]!;
      rec[r + R_MAPPING] = (this.#pflags[frame]! & PG_ANON) !== 0 ? mapping : -mapping;
      rec[r + R_SLOT] = mm.pageTable.slot(vpn);
      ct.tracker.firstTouch(frame);
      this.chargeList(ct);
      return;
    }
    if (own === ctx.xid) {
      if (k.pages.mapCount(frame) > inside) {
        this.#untrack(own, frame);
        return;
      }
      // One more PTE of the entity (fork, a second shmat): it takes the entity's arming.
      const f = rec[r + R_FLAGS]!;
      rec[r + R_FLAGS] = inside === 1 ? f | F_SINGLE : f & ~F_SINGLE;
      const pt = mm.pageTable;
      const pte = pt.get(vpn);
      const armed = (f & F_ARMED) !== 0;
      if (armed !== ((pte & PTE_TRACKING) !== 0)) {
        pt.set(vpn, (armed ? (pte | PTE_TRACKING) & ~PTE_ACCESSED : pte & ~PTE_TRACKING) >>> 0);
        ct.host.ptesScanned++;
        this.#charge(ct, k.costs.pteScanNs);
      }
      return;
    }
    if (own > 0) this.#untrack(own, frame);
    this.#clearArmed(mm, vpn);
  }

  /** pageUnmapped, after the host's accounting. */
  pageUnmapped(mm: MmStruct, frame: number): void {
    const rec = this.rec;
    const r = 4 * frame;
    const own = rec[r + R_OWNER]!;
    if (own === 0) return;
    if (own === SHARED) {
      if (this.kernel.pages.mapCount(frame) === 0) rec[r + R_OWNER] = 0;
      return;
    }
    const ctx = vxContextOf(mm);
    if (ctx?.xid !== own) return;
    const inside = ctx.frameMaps[frame]!;
    if (inside !== 0) {
      if (inside === 1) rec[r + R_FLAGS] = rec[r + R_FLAGS]! | F_SINGLE;
      return;
    }
    const ct = ctx.tracking;
    rec[r + R_OWNER] = 0;
    rec[r + R_FLAGS] = 0;
    if (ct === null) return;
    ct.tracker.remove(frame);
    this.chargeList(ct);
  }

  /** pageFreed: nothing tracks a free frame. */
  pageFreed(frame: number): void {
    const rec = this.rec;
    const r = 4 * frame;
    const own = rec[r + R_OWNER]!;
    if (own === 0) return;
    if (own > 0) {
      const ct = this.#byXid[own];
      ct?.tracker.remove(frame);
      if (ct !== undefined) this.chargeList(ct);
    }
    rec[r + R_OWNER] = 0;
    rec[r + R_FLAGS] = 0;
  }

  /** youngCleared: reclaim took a young bit of a tracked frame; the scan will count it. */
  youngCleared(frame: number): void {
    const rec = this.rec;
    const r = 4 * frame;
    if (rec[r + R_OWNER]! > 0) rec[r + R_FLAGS] = rec[r + R_FLAGS]! | F_RECLAIM_REF;
  }

  /** trackingFault: the paper's fake fault. */
  trackingFault(task: Task, vpn: number): void {
    const k = this.kernel;
    const mm = task.mm!;
    const pt = mm.pageTable;
    const at = pt.slot(vpn);
    const frame = at < 0 ? 0 : pt.mem[at]! >>> 12;
    const ct = vxContextOf(mm)?.tracking ?? null;
    const trap = this.#trapNs;
    const rec = this.rec;
    const r = 4 * frame;
    if (ct !== null && rec[r + R_OWNER] === ct.ctx.xid && (rec[r + R_FLAGS]! & F_ARMED) !== 0) {
      // Stored only when it changes: a page table young in the heap (a recent fork's) stored
      // into this old object at every fault took V8's write-barrier stub each time.
      if (ct.faultPt !== pt) ct.faultPt = pt;
      ct.faultAt = at;
      ct.host.traps++;
      this.#charge(ct, trap);
      ct.tracker.fakeFault(frame);
      rec[r + R_FLAGS] = rec[r + R_FLAGS]! | F_OWED;
      this.chargeList(ct);
      return;
    }
    this.staleTraps++;
    k.chargeSystem(trap);
    mm.pageTable.clearFlags(vpn, PTE_TRACKING);
  }

  // ---- runs of fake faults (mm's TrackingRunHook) ----------------------------------------

  /**
   * The system time of each fake fault of a planned run, in the order trackingFault charges
   * it: the trap, the disarming walk (one PTE, no flush), the arming walk of the entity that
   * falls out (one PTE, one flush), the list work (one move and the group's marker shifts).
   */
  readonly runCharges = new Float64Array(4);
  /** The run planned (`run.count` pages; 0: none), for the commit. */
  readonly #run = new PlannedRun(RUN_MAX);

  /**
   * TrackingRunHook.plan: the fake fault at `vpn` was just handled; takes the faults of the
   * pages after it (vpn + step, …, or those of `order` for a permuted pass; at most `max`)
   * that are each what trackingFault would handle through the tracker's sweep
   * (CvhrcTracker.planSweep) with both walks forced and found where they are guessed — the
   * faulting page's own PTE, and for the entity that falls out, one step on from the last PTE
   * armed or else where its PTE was last seen (walkGuessed's two guesses; a permuted pass
   * arms its pages in no order a step follows) — each PTE the frame's only one, in the only VMA
   * of its anon_vma or file (walkAt's conditions) — and no more than the burst's `leftNs`
   * can hold at `userNs` of user time per page plus the fault's charges. Disarms them and
   * sets `runCharges`; returns how many.
   */
  planRun(
    task: Task,
    vpn: number,
    step: number,
    max: number,
    leftNs: number,
    userNs: number,
    order: TouchRunOrder | null = null,
  ): number {
    const mm = task.mm;
    const run = this.#run;
    run.count = 0;
    this.#onlyMapping = 0; // no mapping is 0: the cache of #oneVma starts empty
    if (mm === null) return 0;
    const ct = vxContextOf(mm)?.tracking;
    const pt = mm.pageTable;
    // The fault just handled was this context's, at this page table (faultPt).
    if (ct?.faultPt !== pt) return 0;
    const tracker = ct.tracker;
    const n = this.#gather(ct, pt, vpn, step, order, Math.min(max, RUN_MAX), leftNs, userNs);
    if (n === 0) return 0;
    let m = tracker.planSweep(run.frames, n, run.fallen);
    // (Skipped, as #touchFrames is, for entities falling out one frame after another.)
    if (m > 1 && run.fallen[m - 1]! - run.fallen[0]! !== m - 1) this.#touchFallen(run.fallen, m);
    // Arming: for each entity falling out, in turn, walkGuessed's guess must stand for the
    // walk — one step on from the last PTE armed, or else where the frame's PTE was last seen.
    const guess = ct.armGuess;
    const gpt = guess.pt;
    if (gpt === null) return 0;
    const gmem = gpt.mem;
    const rec = this.rec;
    const gstep = guess.step;
    let at = guess.at;
    // The last mapping found to have one VMA (0: none yet), as in #checked.
    let one = 0;
    for (let i = 0; i < m; i++) {
      const fallen = run.fallen[i]! | 0; // a frame: integer arithmetic below
      // walkAt's test at either guess: the slot holds the frame's only PTE
      // (#onlyPteMapping, which refuses a slot outside the page table, −1 included), and
      // its mapping has one VMA (#oneVma; the mapping is the frame's, whichever PTE is found).
      let mapping = this.#onlyPteMapping(fallen, gmem, at + gstep);
      if (mapping !== 0) {
        at += gstep;
      } else {
        at = rec[4 * fallen + R_SLOT]!;
        mapping = this.#onlyPteMapping(fallen, gmem, at);
      }
      if (mapping === 0 || (mapping !== one && !this.#oneVma(mapping))) {
        m = i;
        break;
      }
      one = mapping;
      run.fallenAt[i] = at;
    }
    if (m === 0) return 0;
    const mem = pt.mem;
    for (let i = 0; i < m; i++) {
      const a = run.at[i]!;
      mem[a] = run.pte[i]! & ~PTE_TRACKING; // the disarming, done ahead (applyToPte's)
    }
    run.count = m;
    run.ct = ct;
    run.pt = pt;
    run.armPt = gpt;
    const pteScan = this.#pteScanNs;
    const tlb = this.#tlbFlushNs;
    const charges = this.runCharges;
    charges[0] = this.#trapNs;
    charges[1] = 1 * pteScan + 0 * tlb; // #walked(ct, frame, 1, 0, 0)
    charges[2] = 1 * pteScan + 1 * tlb; // #walked(ct, fallen, 1, young, 1)
    charges[3] = 1 * this.settings.listOpNs + tracker.plannedGroup * this.settings.markerShiftNs;
    return m;
  }

  /**
   * TrackingRunHook.commit: the first `k` faults of the planned run happened (their charges
   * are on the clock): their work — the tracker's, the arming of the entities that fell out,
   * the flags, the counts, the charges' record — exactly as trackingFault would have done it
   * one fault at a time; the other pages of the run are armed again.
   */
  commitRun(_task: Task, k: number): void {
    const run = this.#run;
    const m = run.count;
    if (!(k >= 0 && k <= m)) {
      throw new Error(`CvHRC: commit of ${k} faults of a run of ${m}`);
    }
    if (m === 0) return;
    const ct = run.ct!;
    const mem = run.pt!.mem;
    for (let i = k; i < m; i++) mem[run.at[i]!] = run.pte[i]!;
    run.count = 0;
    if (k === 0) return;
    ct.tracker.commitSweep(run.frames, k);
    const rec = this.rec;
    const pflags = this.#pflags;
    const keep = this.settings.keepReferenced;
    const armMem = run.armPt!.mem;
    const host = ct.host;
    const charges = this.runCharges;
    const trap = charges[0]!;
    const disarm = charges[1]!;
    const arm = charges[2]!;
    const list = charges[3]!;
    let trackingNs = host.trackingNs;
    for (let i = 0; i < k; i++) {
      const frame = run.frames[i]!;
      const r = 4 * frame + R_FLAGS;
      rec[r] = (rec[r]! & ~F_ARMED) | F_OWED;
      const fallen = run.fallen[i]! | 0; // a frame: integer arithmetic below
      const at = run.fallenAt[i]!;
      const pte = armMem[at]!;
      armMem[at] = (pte | PTE_TRACKING) & ~PTE_ACCESSED; // applyToPte's OP_PROTECT
      if ((pte & PTE_ACCESSED) !== 0 && keep) {
        pflags[fallen] = pflags[fallen]! | PG_REFERENCED;
        host.keptForReclaim++;
      }
      const rf = 4 * fallen + R_FLAGS;
      rec[rf] = (rec[rf]! & F_SINGLE) | F_ARMED;
      // #charge's record, in trackingFault's order (the clock has the same amounts).
      if (trap > 0) trackingNs += trap;
      if (disarm > 0) trackingNs += disarm;
      if (arm > 0) trackingNs += arm;
      if (list > 0) trackingNs += list;
    }
    host.trackingNs = trackingNs;
    host.traps += k;
    host.ptesScanned += 2 * k;
    host.tlbFlushes += k;
    host.listOps += k;
    const c = ct.tracker.counters;
    ct.chargedListOps = listOps(c);
    ct.chargedShifts = c.markerShifts;
    ct.faultAt = run.at[k - 1]!;
    ct.armGuess.at = run.fallenAt[k - 1]!;
  }

  /**
   * The pages vpn + step, … (at most `max`) that take a fake fault the way the one at `vpn`
   * did: armed PTEs of context `ct`'s protected frames, each the frame's only PTE (the
   * disarming walk is forced and found at the faulting PTE). Stops at the first that is not;
   * also when the tracker cannot take the first as a sweep. Returns how many.
   */
  #gather(
    ct: ContextTracking,
    pt: PageTable,
    vpn: number,
    step: number,
    order: TouchRunOrder | null,
    max: number,
    leftNs: number,
    userNs: number,
  ): number {
    const run = this.#run;
    const mem = pt.mem;
    // The first page alone: if the tracker cannot take it as a sweep, no run (the common
    // refusal, made cheap).
    if (max < 1 || this.#ptes(mem, vpn, step, order, 0, 1) === 0) return 0;
    if (this.#checked(ct, 0, 1) === 0) return 0;
    if (ct.tracker.planSweep(run.frames, 1, run.fallen) === 0) return 0;
    // The turns that fit in the burst: each charges the page's user time and the fault's
    // system time (a bound, one more for rounding; the loop's own checks decide).
    const s = this.settings;
    const perTurn =
      userNs +
      this.#trapNs +
      2 * this.#pteScanNs +
      this.#tlbFlushNs +
      s.listOpNs +
      ct.tracker.plannedGroup * s.markerShiftNs;
    if (perTurn > 0) max = Math.min(max, Math.ceil(leftNs / perTurn) + 1);
    // The rest in passes over the run's arrays — the PTEs first, then the frames' fields —
    // so that the frames' cache misses overlap instead of following one another.
    const n = this.#ptes(mem, vpn, step, order, 1, max);
    if (n <= 1) return n;
    if (run.frames[n - 1]! - run.frames[1]! !== n - 2) this.#touchFrames(run.frames, 1, n);
    return this.#checked(ct, 1, n);
  }

  /**
   * The pages after the faulting one at `vpn` — vpn + step, … or, for a permuted pass, those
   * of `order` — whose PTEs are present and armed, into the run's arrays from index `from`
   * (the (from + 1)-th page) up to index `to`; returns the index reached.
   */
  #ptes(
    mem: Int32Array,
    vpn: number,
    step: number,
    order: TouchRunOrder | null,
    from: number,
    to: number,
  ): number {
    let i = from;
    if (order === null) {
      for (let v = vpn + from * step; i < to; i++) {
        v += step;
        if (!this.#armedPte(mem, v, i)) break;
      }
      return i;
    }
    const perm = order.perm;
    const next = order.next;
    const base = order.base;
    const stride = order.stride;
    const last = Math.min(to, perm.length - next);
    for (; i < last; i++) {
      if (!this.#armedPte(mem, base + perm[next + i]! * stride, i)) break;
    }
    return i;
  }

  /**
   * If page `v`'s PTE in `mem` is present and armed, puts it at index i of the run's arrays
   * (frame, slot, PTE) and returns true.
   */
  #armedPte(mem: Int32Array, v: number, i: number): boolean {
    if ((v & 0xfffff) !== v) return false;
    const base = mem[v >>> 10]!;
    if (base === 0) return false;
    const at = base + (v & 1023);
    const pte = mem[at]!;
    if ((pte & (PTE_PRESENT | PTE_TRACKING)) !== (PTE_PRESENT | PTE_TRACKING)) return false;
    const run = this.#run;
    run.frames[i] = pte >>> 12;
    run.at[i] = at;
    run.pte[i] = pte;
    return true;
  }

  /**
   * Reads the records the plan and the commit use of frames[from..to), without deciding
   * anything: a loop of independent loads, whose cache misses the processor overlaps (the
   * checks after it find the lines in the cache). Host speed only. Skipped for frames that
   * follow one another (the first and last of the run as far apart as their count), as a
   * sweep's freshly allocated pages usually do: the processor's prefetch follows those.
   */
  #touchFrames(frames: Int32Array, from: number, to: number): void {
    const rec = this.rec;
    let x = 0;
    for (let i = from; i < to; i++) x = (x + rec[4 * frames[i]!]!) | 0;
    this.lookAheadSum = x;
  }
  /**
   * The sum the last look-ahead pass over frames computed (#touchFrames, #touchFallen), kept
   * so that its loads are not optimised away. Host speed only; it means nothing.
   */
  lookAheadSum = 0;

  /**
   * #touchFrames for the entities falling out (ids are frames): their records, and their page
   * flags, which the commit updates when their PTE is young.
   */
  #touchFallen(fallen: Float64Array, to: number): void {
    const rec = this.rec;
    const pflags = this.#pflags;
    let x = 0;
    for (let i = 0; i < to; i++) {
      const f = fallen[i]! | 0;
      x = (x + rec[4 * f]! + pflags[f]!) | 0;
    }
    this.lookAheadSum = x;
  }

  /**
   * Of the run's pages [from..to), how many from `from` on are armed pages of context `ct`'s
   * protected frames, each the frame's only PTE (the disarming walk forced and found at the
   * faulting PTE); returns the index of the first that is not (`to` if all are).
   */
  #checked(ct: ContextTracking, from: number, to: number): number {
    const run = this.#run;
    const rec = this.rec;
    const xid = ct.ctx.xid;
    // The last mapping found to have one VMA (0: none yet): a run's pages mostly share it.
    let one = 0;
    let i = from;
    for (; i < to; i++) {
      // walkAt's test (#onlyPteMapping, #oneVma) at run.at[i], less the test of the PTE
      // itself: #armedPte took the frame from that present PTE.
      const r = 4 * run.frames[i]!;
      if (rec[r + R_OWNER] !== xid || (rec[r + R_FLAGS]! & ARMED_SINGLE) !== ARMED_SINGLE) break;
      const mapping = rec[r + R_MAPPING]!;
      if (mapping === 0 || (mapping !== one && !this.#oneVma(mapping))) break;
      one = mapping;
    }
    return i;
  }

  /**
   * Whether the VMA list the rmap walk goes over for `mapping` (not 0) has one VMA. The
   * answer for the last mapping looked at holds through one plan or one scan (nothing maps or
   * unmaps in between); each starts with the cache empty (#onlyMapping = 0).
   */
  #oneVma(mapping: number): boolean {
    if (mapping === this.#onlyMapping) return this.#onlyOne;
    this.#onlyMapping = mapping;
    this.#onlyOne = this.#vmasOf(mapping).length === 1;
    return this.#onlyOne;
  }
  #onlyMapping = 0;
  #onlyOne = false;

  /**
   * The per-frame part of walkAt's test, for a tracked frame: the frame's mapping (R_MAPPING)
   * when slot `at` of `mem` is a present PTE of `frame` and the frame has no other PTE; else 0.
   * With {@link #oneVma} of that mapping, the rmap walk would find this PTE and no other,
   * counting one. Read from the frame's record (R_*).
   */
  #onlyPteMapping(frame: number, mem: Int32Array, at: number): number {
    const r = 4 * frame;
    if ((this.rec[r + R_FLAGS]! & F_SINGLE) === 0 || at < 0 || at >= mem.length) return 0;
    const pte = mem[at]!;
    if ((pte & PTE_PRESENT) === 0 || pte >>> 12 !== frame) return 0;
    return this.rec[r + R_MAPPING]!;
  }

  /** The VMAs the rmap walk goes over for a record's mapping (R_MAPPING, not 0). */
  #vmasOf(mapping: number): readonly Vma[] {
    const k = this.kernel;
    return mapping > 0 ? k.anonVma(mapping).vmas : k.addressSpace(-mapping).iMmap;
  }

  // ---- internals --------------------------------------------------------------------

  /** Charges the tracker's list work done since the last charge. */
  chargeList(ct: ContextTracking): void {
    const c = ct.tracker.counters;
    const ops = listOps(c);
    const shifts = c.markerShifts;
    const dOps = ops - ct.chargedListOps;
    const dShifts = shifts - ct.chargedShifts;
    if (dOps === 0 && dShifts === 0) return;
    ct.chargedListOps = ops;
    ct.chargedShifts = shifts;
    ct.host.listOps += dOps;
    this.#charge(ct, dOps * this.settings.listOpNs + dShifts * this.settings.markerShiftNs);
  }

  #charge(ct: ContextTracking, ns: number): void {
    if (ns <= 0) return;
    ct.host.trackingNs += ns;
    this.kernel.chargeSystem(ns);
  }

  /** The frame leaves context `xid`'s tracker: it is now mapped outside the context. */
  #untrack(xid: number, frame: number): void {
    const r = 4 * frame;
    this.rec[r + R_OWNER] = SHARED;
    const wasArmed = (this.rec[r + R_FLAGS]! & F_ARMED) !== 0;
    this.rec[r + R_FLAGS] = 0;
    const ct = this.#byXid[xid];
    if (ct === undefined) return;
    ct.tracker.remove(frame);
    ct.host.untracked++;
    if (wasArmed) this.walk(ct, frame, OP_UNPROTECT);
    this.chargeList(ct);
  }

  /** A PTE copied armed (fork) into a place nobody tracks is disarmed. */
  #clearArmed(mm: MmStruct, vpn: number): void {
    const pt = mm.pageTable;
    const pte = pt.get(vpn);
    if (pte & PTE_TRACKING) pt.set(vpn, (pte & ~PTE_TRACKING) >>> 0);
  }

  /**
   * The rmap walk over the present PTEs that map `frame` (rmap.ts's, written out so that it
   * allocates nothing), applying `op` to each; charges and counts the work. Returns the young
   * bits found (OP_TEST) or cleared (OP_PROTECT).
   */
  walk(ct: ContextTracking, frame: number, op: number): number {
    const k = this.kernel;
    let left = this.#mapcount[frame]! + 1;
    const mapping = this.#mapping[frame]!;
    if (left <= 0 || mapping === 0) return 0;
    const index = this.#index[frame]!;
    const pflags = this.#pflags;
    const vmas =
      (pflags[frame]! & PG_ANON) !== 0 ? k.anonVma(mapping).vmas : k.addressSpace(mapping).iMmap;
    let ptes = 0;
    let young = 0;
    let flushes = 0;
    for (let i = 0; i < vmas.length; i++) {
      const vma = vmas[i]!;
      const vpn = vma.addressOf(index);
      if (vpn < 0) continue;
      const pt = vma.mm.pageTable;
      const at = pt.slot(vpn);
      ptes++;
      if (at < 0) continue;
      const mem = pt.mem;
      const pte = mem[at]!; // signed: the frame is pte >>> 12
      if ((pte & PTE_PRESENT) === 0 || pte >>> 12 !== frame) continue;
      // applyToPte, written out: calling it from this loop made tracked runs ~5 % slower.
      if (op === OP_TEST) {
        if ((pte & PTE_ACCESSED) !== 0) {
          mem[at] = pte & ~PTE_ACCESSED;
          young++;
          flushes++; // ptep_clear_flush_young
        }
      } else if (op === OP_PROTECT) {
        if ((pte & PTE_ACCESSED) !== 0) young++;
        mem[at] = (pte | PTE_TRACKING) & ~PTE_ACCESSED;
        flushes++; // the PTE stops being usable: flush_tlb_page
      } else if ((pte & PTE_TRACKING) !== 0) {
        mem[at] = pte & ~PTE_TRACKING;
      }
      if (this.foundPt !== pt) this.foundPt = pt;
      this.foundAt = at;
      if (--left === 0) break; // every PTE of the page seen (page_referenced_anon's stop)
    }
    return this.#walked(ct, frame, ptes, young, flushes);
  }

  /** The end of a walk: young bits kept for reclaim, the work counted and charged. */
  #walked(
    ct: ContextTracking,
    frame: number,
    ptes: number,
    young: number,
    flushes: number,
  ): number {
    const host = ct.host;
    if (young > 0 && this.settings.keepReferenced) {
      const pflags = this.#pflags;
      pflags[frame] = pflags[frame]! | PG_REFERENCED;
      host.keptForReclaim++;
    }
    host.ptesScanned += ptes;
    host.tlbFlushes += flushes;
    this.#charge(ct, ptes * this.#pteScanNs + flushes * this.#tlbFlushNs);
    return young;
  }

  /**
   * `walk(ct, frame, op)` when the place of the frame's PTE is known (or well guessed),
   * without the walk over the VMAs: slot `at` of `pt` is taken for the walk's result only when
   * it is a present PTE of `frame`, the frame has no other PTE (mapcount 0: its record's
   * F_SINGLE, `frame` being tracked) and the list the walk would go over (the anon_vma's VMAs,
   * or the file's i_mmap) has one VMA. The walk would
   * then visit that one VMA, count one PTE and find the frame's only PTE — this one — so the
   * operation, the counts and the charge are the walk's, to the bit. Returns the young bits
   * found (as `walk`), or −1 when the guess cannot stand for the walk (nothing done).
   */
  walkAt(ct: ContextTracking, frame: number, op: number, pt: PageTable | null, at: number): number {
    if (pt === null) return -1;
    const mem = pt.mem;
    const mapping = this.#onlyPteMapping(frame, mem, at);
    if (mapping === 0) return -1;
    if (!(this.#scanning ? this.#oneVma(mapping) : this.#vmasOf(mapping).length === 1)) return -1;
    const done = applyToPte(mem, at, mem[at]!, op);
    return this.#walked(ct, frame, 1, done & 1, done >>> 1);
  }

  /**
   * `walk(ct, frame, op)`, trying first the PTE one step on from the last one `guess` found
   * (`walkAt`), and learning the next guess from where the walk found it otherwise.
   */
  walkGuessed(ct: ContextTracking, frame: number, op: number, guess: PteGuess): number {
    const young = this.walkAt(ct, frame, op, guess.pt, guess.at + guess.step);
    if (young >= 0) {
      guess.at += guess.step;
      return young;
    }
    // Where the frame's PTE was last seen, in the guess's page table.
    const slot = this.rec[4 * frame + R_SLOT]!;
    const again = slot < 0 ? -1 : this.walkAt(ct, frame, op, guess.pt, slot);
    if (again >= 0) {
      guess.at = slot;
      return again;
    }
    const found = this.walk(ct, frame, op);
    const pt = this.foundPt;
    guess.step = pt === guess.pt && this.foundAt !== guess.at ? this.foundAt - guess.at : 1;
    if (guess.pt !== pt) guess.pt = pt;
    guess.at = this.foundAt;
    this.rec[4 * frame + R_SLOT] = this.foundAt;
    return found;
  }

  /**
   * Checks that the per-frame state agrees with the trackers and the kernel: a frame is owned
   * by a context exactly when that context's tracker holds it, `armed` is set exactly for the
   * protected ones, and a tracked frame's record has its page_mapcount == 1 and its mapping
   * right. Throws an Error naming the first frame that disagrees. For tests; O(frames).
   */
  checkInvariants(): void {
    const rec = this.rec;
    const pages = this.kernel.pages;
    let tracked = 0;
    for (let frame = 0; frame < pages.frameCount; frame++) {
      const r = 4 * frame;
      const own = rec[r + R_OWNER]!;
      const ct = own > 0 ? this.#byXid[own] : undefined;
      const held = ct?.tracker.has(frame) === true;
      if (ct !== undefined && !held) {
        throw new Error(`CvHRC: frame ${frame} owned by context ${own} but not in its tracker`);
      }
      if (held) tracked++;
      const protectedNow = held && ct.tracker.isProtected(frame);
      const f = rec[r + R_FLAGS]!;
      if (((f & F_ARMED) !== 0) !== protectedNow) {
        throw new Error(
          `CvHRC: frame ${frame} ${protectedNow ? 'protected but not marked armed' : 'marked armed but not protected'}`,
        );
      }
      if (held) {
        const single = pages.mapCount(frame) === 1;
        if (((f & F_SINGLE) !== 0) !== single) {
          throw new Error(
            `CvHRC: frame ${frame} has ${pages.mapCount(frame)} PTEs but is ${single ? 'not ' : ''}marked single`,
          );
        }
        const m = pages.mapping[frame]!;
        const mapping = (pages.flags[frame]! & PG_ANON) !== 0 ? m : -m;
        if (rec[r + R_MAPPING] !== mapping) {
          throw new Error(
            `CvHRC: frame ${frame} has mapping ${mapping} but its record says ${rec[r + R_MAPPING]}`,
          );
        }
      }
    }
    let entities = 0;
    for (const ct of this.#contexts.values()) entities += ct.tracker.size;
    if (entities !== tracked) {
      throw new Error(`CvHRC: the trackers hold ${entities} entities, ${tracked} frames are owned`);
    }
  }

  // ---- results ----------------------------------------------------------------------

  /** A mark of a context's measurement now. */
  mark(ct: ContextTracking): HrcMark {
    const o = ct.oracle;
    return {
      xid: ct.ctx.xid,
      timeNs: this.kernel.clock.now,
      hits: ct.tracker.snapshot(),
      counters: ct.counters(),
      oracleHistogram: o === null ? null : o.histogram(),
      oracleReferences: o === null ? 0 : o.references,
    };
  }

  /** Starts a new window: the tracker's hit counters and the oracle's baseline. */
  resetWindow(ct: ContextTracking): void {
    ct.tracker.resetWindow();
    ct.windowNs = this.kernel.clock.now;
    ct.windowBase = this.mark(ct);
  }

  /** The window since `since` (default: since creation or the last reset). */
  result(ct: ContextTracking, since?: HrcMark): HrcResult {
    const now = this.mark(ct);
    const base = since ?? ct.windowBase;
    if (since !== undefined && since.xid !== ct.ctx.xid) {
      throw new VxError(
        'hrc',
        'EINVAL',
        `a mark of context ${since.xid} for context ${ct.ctx.xid}`,
      );
    }
    const hits = since === undefined ? now.hits : now.hits.minus(since.hits);
    const curve = hits.curve();
    const counters = base === null ? now.counters : minusCounters(now.counters, base.counters);
    const result: Mutable<HrcResult> = {
      xid: ct.ctx.xid,
      sinceNs: since?.timeNs ?? ct.windowNs,
      nowNs: now.timeNs,
      curve,
      pageNeed: curve.length === 0 ? 0 : pageNeed(curve),
      hits,
      counters,
      space: ct.tracker.spaceReport(),
      entities: ct.tracker.size,
    };
    const o = ct.oracle;
    if (o !== null && now.oracleHistogram !== null) {
      const h0 = base?.oracleHistogram ?? new Float64Array(0);
      const refs = now.oracleReferences - (base?.oracleReferences ?? 0);
      const sizes = oracleSizes(curve, hits.groupSize, now.oracleHistogram.length - 1);
      const exact = exactCurve(now.oracleHistogram, h0, refs, sizes);
      result.oracle = {
        curve: exact,
        pageNeed: exact.length === 0 ? 0 : pageNeed(exact),
        mae: exact.length === 0 ? 0 : meanAbsoluteError(curve, exact, exact.sizes()),
        references: refs,
        untrackedReferences: ct.oracleUntracked,
      };
    }
    return result;
  }
}

/** The tracker's list work charged per operation: insertions, moves and removals. */
function listOps(c: TrackerCounters): number {
  return c.firstTouches + c.listMoves + c.removes;
}

function minusCounters(a: CvhrcCounters, b: CvhrcCounters): CvhrcCounters {
  const out = { ...a } as Record<string, number>;
  for (const key of Object.keys(out))
    out[key] = out[key]! - (b as unknown as Record<string, number>)[key]!;
  return out as unknown as CvhrcCounters;
}

/** The tracker curve's sizes, or group ends up to the distinct pages when it has none. */
function oracleSizes(curve: HitRatioCurve, group: number, distinct: number): Float64Array {
  if (curve.length > 0) return curve.sizes();
  const n = Math.ceil(distinct / group);
  const out = new Float64Array(n);
  for (let g = 0; g < n; g++) out[g] = Math.min((g + 1) * group, distinct);
  return out;
}

/** The exact curve of a window from two stack-distance histograms. */
function exactCurve(
  h: Float64Array,
  h0: Float64Array,
  refs: number,
  sizes: Float64Array,
): HitRatioCurve {
  const ys = new Float64Array(sizes.length);
  let cum = 0;
  let d = 0;
  for (let i = 0; i < sizes.length; i++) {
    const top = Math.min(Math.floor(sizes[i]!), h.length - 1);
    while (d < top) {
      d++;
      cum += h[d]! - (d < h0.length ? h0[d]! : 0);
    }
    ys[i] = refs > 0 ? Math.min(1, cum / refs) : 0;
  }
  return HitRatioCurve.fromArrays(sizes, ys);
}
