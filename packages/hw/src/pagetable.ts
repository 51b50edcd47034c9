/** Entries in the page directory and in each second-level page table. */
export const PTRS_PER_PGD = 1024;
export const PTRS_PER_PTE = 1024;
/** Bits of a virtual page number (32-bit addresses, 4 KiB pages). */
export const VPN_BITS = 20;
/** Number of virtual pages in a 32-bit address space. */
export const VPN_COUNT = 1 << VPN_BITS;
/** Bytes of one x86 page directory or page table (1024 × 4-byte entries). */
export const PAGE_TABLE_BYTES = 4096;

/** The tables' memory, as {@link PageTable.memory} reports it. */
export interface PageTableMemory {
  /** Second-level tables allocated. */
  readonly secondLevelTables: number;
  /** What real x86 uses: the 4 KiB directory + 4 KiB per second-level table. */
  readonly x86Bytes: number;
  /** Of which the directory. */
  readonly directoryBytes: number;
  /** Of which the second-level tables. */
  readonly secondLevelBytes: number;
  /** What the emulation holds in host memory (typed arrays, including spare pool capacity). */
  readonly hostBytes: number;
}

/**
 * Called for each populated (non-zero) PTE of a walk. Returning a number stores it as the
 * new PTE (e.g. the entry with its accessed bit cleared); returning nothing leaves it.
 */
export type PteVisitor = (vpn: number, pte: number) => number | undefined | void;

const checkVpn = (vpn: number, what: string): void => {
  if (!Number.isInteger(vpn) || vpn < 0 || vpn >= VPN_COUNT) {
    throw new RangeError(`${what}: vpn must be an integer from 0 to ${VPN_COUNT - 1}, got ${vpn}`);
  }
};

const checkRange = (start: number, count: number, what: string): void => {
  checkVpn(start, what);
  if (!Number.isInteger(count) || count < 0 || start + count > VPN_COUNT) {
    throw new RangeError(
      `${what}: count must be an integer with start + count ≤ ${VPN_COUNT}, got start ${start} count ${count}`,
    );
  }
};

/**
 * An x86-32 two-level page table (one per address space): a 1024-entry page directory
 * indexed by vpn bits 10–19 and 1024-entry second-level tables indexed by vpn bits 0–9,
 * allocated on first use.
 *
 * All of it lives in one Int32Array, {@link mem}, the table's "page-table memory", in
 * 1024-entry blocks: block 0 is the page directory and the other blocks are second-level
 * tables. A directory entry holds the offset in `mem` of its second-level table (like a PDE
 * holding the frame of its page table), or 0 when there is none. PTEs are stored as int32
 * (a frame ≥ 2^19 sets bit 31 and reads back negative); the methods return them unsigned.
 *
 * `mem` is public for the MMU fast path ({@link access}); change entries through the
 * methods, which allocate tables as needed. `mem` is replaced when it grows, so do not keep a
 * reference to it across calls that may allocate a table.
 */
export class PageTable {
  /** Page-table memory: block 0 the directory, other 1024-entry blocks the PTE tables. */
  mem: Int32Array;
  /** Fault code of the last {@link accessRange} that stopped early (0 if none). */
  lastFault = 0;

  #tables = 0;
  #blocksUsed = 1;
  #freeBlocks: number[] = [];

  /** @param initialTables capacity to start with, in second-level tables. */
  constructor(initialTables = 4) {
    this.mem = new Int32Array((1 + Math.max(1, initialTables)) * PTRS_PER_PTE);
  }

  /** Number of second-level tables allocated. */
  get tableCount(): number {
    return this.#tables;
  }

  /** True when the second-level table covering `vpn` exists. */
  hasTable(vpn: number): boolean {
    checkVpn(vpn, 'PageTable.hasTable');
    return this.mem[vpn >>> 10]! !== 0;
  }

  /** The PTE of `vpn` (unsigned); 0 (none) when its second-level table does not exist. */
  get(vpn: number): number {
    checkVpn(vpn, 'PageTable.get');
    const base = this.mem[vpn >>> 10]!;
    return base === 0 ? 0 : this.mem[base + (vpn & 1023)]! >>> 0;
  }

  /**
   * The index in {@link mem} of the PTE of `vpn`, or −1 when its second-level table does not
   * exist: for hot paths that read and rewrite PTEs that exist (`mem[slot]` holds the PTE as a
   * signed 32-bit value). Valid until a call that may allocate a table.
   */
  slot(vpn: number): number {
    checkVpn(vpn, 'PageTable.slot');
    const base = this.mem[vpn >>> 10]!;
    return base === 0 ? -1 : base + (vpn & 1023);
  }

  /**
   * Stores a PTE, allocating the second-level table on first use (storing 0 where there is
   * no table allocates nothing). Returns the previous PTE.
   */
  set(vpn: number, pte: number): number {
    checkVpn(vpn, 'PageTable.set');
    let base = this.mem[vpn >>> 10]!;
    if (base === 0) {
      if (pte === 0) return 0;
      base = this.#allocTable(vpn >>> 10);
    }
    const i = base + (vpn & 1023);
    const old = this.mem[i]! >>> 0;
    this.mem[i] = pte;
    return old;
  }

  /** Sets `flags` in the PTE of `vpn` if it is not none; returns the new PTE (0 if none). */
  setFlags(vpn: number, flags: number): number {
    const pte = this.get(vpn);
    if (pte === 0) return 0;
    const next = (pte | flags) >>> 0;
    this.mem[this.mem[vpn >>> 10]! + (vpn & 1023)] = next;
    return next;
  }

  /** Clears `flags` in the PTE of `vpn`; returns the new PTE (0 if none). */
  clearFlags(vpn: number, flags: number): number {
    const pte = this.get(vpn);
    if (pte === 0) return 0;
    const next = (pte & ~flags) >>> 0;
    this.mem[this.mem[vpn >>> 10]! + (vpn & 1023)] = next;
    return next;
  }

  /**
   * Clears `flags` and says whether any of them was set — e.g. ptep_test_and_clear_young
   * with PTE_ACCESSED.
   */
  testAndClear(vpn: number, flags: number): boolean {
    const pte = this.get(vpn);
    if ((pte & flags) === 0) return false;
    this.mem[this.mem[vpn >>> 10]! + (vpn & 1023)] = pte & ~flags;
    return true;
  }

  /**
   * Visits every populated (non-zero) PTE with vpn in [start, start + count) in vpn order,
   * skipping missing second-level tables. Returns how many PTEs were visited.
   */
  walk(start: number, count: number, visit: PteVisitor): number {
    checkRange(start, count, 'PageTable.walk');
    const end = start + count;
    let visited = 0;
    let vpn = start;
    while (vpn < end) {
      const tableEnd = Math.min(end, ((vpn >>> 10) + 1) << 10);
      const base = this.mem[vpn >>> 10]!;
      if (base !== 0) {
        for (; vpn < tableEnd; vpn++) {
          const i = base + (vpn & 1023);
          const pte = this.mem[i]!;
          if (pte === 0) continue;
          visited++;
          const next = visit(vpn, pte >>> 0);
          // Read this.mem again: the visitor may have allocated tables (growing it).
          if (typeof next === 'number') this.mem[i] = next;
        }
      }
      vpn = tableEnd;
    }
    return visited;
  }

  /** Sets every PTE in [start, start + count) to none; returns how many were not none. */
  clearRange(start: number, count: number): number {
    checkRange(start, count, 'PageTable.clearRange');
    const end = start + count;
    const mem = this.mem;
    let cleared = 0;
    let vpn = start;
    while (vpn < end) {
      const tableEnd = Math.min(end, ((vpn >>> 10) + 1) << 10);
      const base = mem[vpn >>> 10]!;
      if (base !== 0) {
        for (let i = base + (vpn & 1023), e = base + (((tableEnd - 1) & 1023) + 1); i < e; i++) {
          if (mem[i] !== 0) {
            mem[i] = 0;
            cleared++;
          }
        }
      }
      vpn = tableEnd;
    }
    return cleared;
  }

  /**
   * Frees the second-level tables overlapping [start, start + count) whose entries are all
   * none (as free_pgtables does after an unmap). Returns how many were freed.
   */
  freeEmptyTables(start = 0, count: number = VPN_COUNT - start): number {
    checkRange(start, count, 'PageTable.freeEmptyTables');
    if (count === 0) return 0;
    const mem = this.mem;
    let freed = 0;
    for (let d = start >>> 10, last = (start + count - 1) >>> 10; d <= last; d++) {
      const base = mem[d]!;
      if (base === 0) continue;
      let empty = true;
      for (let i = base; i < base + PTRS_PER_PTE; i++) {
        if (mem[i] !== 0) {
          empty = false;
          break;
        }
      }
      if (!empty) continue;
      mem[d] = 0;
      this.#freeBlocks.push(base);
      this.#tables--;
      freed++;
    }
    return freed;
  }

  /** Sets every PTE to none and frees every second-level table. */
  clear(): void {
    this.mem.fill(0);
    this.#tables = 0;
    this.#blocksUsed = 1;
    this.#freeBlocks = [];
  }

  /** The tables' memory: as x86 would use it, and as held on the host. */
  memory(): PageTableMemory {
    const secondLevelBytes = this.#tables * PAGE_TABLE_BYTES;
    return {
      secondLevelTables: this.#tables,
      x86Bytes: PAGE_TABLE_BYTES + secondLevelBytes,
      directoryBytes: PAGE_TABLE_BYTES,
      secondLevelBytes,
      hostBytes: this.mem.byteLength,
    };
  }

  #allocTable(dirIndex: number): number {
    let base = this.#freeBlocks.pop();
    if (base === undefined) {
      base = this.#blocksUsed * PTRS_PER_PTE;
      if (base === this.mem.length) {
        const grown = new Int32Array(this.mem.length * 2);
        grown.set(this.mem);
        this.mem = grown;
      }
      this.#blocksUsed++;
    }
    // A reused block is all zeros: only empty tables are freed.
    this.mem[dirIndex] = base;
    this.#tables++;
    return base;
  }
}
