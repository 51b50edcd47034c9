import type { PageTable } from './pagetable.js';
import { PTE_PRESENT, PTE_SWAP, PTE_TRACKING } from './pte.js';

/** No PTE, or no second-level table: handle_pte_fault's pte_none case. */
export const FAULT_NOT_PRESENT = -1;
/** Non-present PTE holding a swap entry: do_swap_page. */
export const FAULT_SWAP = -2;
/** Write to a present read-only page: do_wp_page (COW, or making a shared page writable). */
export const FAULT_WRITE_PROTECT = -3;
/** Present page with the tracking bit: the paper's fake fault. */
export const FAULT_TRACKING = -4;

/** Name of a fault code, for messages: `not-present`, `swap`, `write-protect`, `tracking`. */
export function faultName(code: number): string {
  switch (code) {
    case FAULT_NOT_PRESENT:
      return 'not-present';
    case FAULT_SWAP:
      return 'swap';
    case FAULT_WRITE_PROTECT:
      return 'write-protect';
    case FAULT_TRACKING:
      return 'tracking';
    default:
      return code >= 0 ? 'none' : `unknown(${code})`;
  }
}

// The fast path uses literal masks: bundlers turn module constants into `var`s, which V8
// then reloads on every call. Spelled out (test/mmu.test.ts checks them behaviourally):
//   0x001 PRESENT, 0x002 RW, 0x020 ACCESSED, 0x040 DIRTY, 0x200 TRACKING.
//   read  permitted: (pte & 0x201) === 0x001;  already young:        (pte & 0x221) === 0x021
//   write permitted: (pte & 0x203) === 0x003;  already young+dirty:  (pte & 0x263) === 0x063
// Like the CPU, which writes A/D back only when they change, a hit whose bits are already set
// stores nothing (it also keeps the host's cache lines clean).

/** Why a PTE refused an access (the PTE is not changed). Off the fast path. */
function classify(pte: number): number {
  if ((pte & PTE_PRESENT) === 0) {
    return (pte & PTE_SWAP) !== 0 ? FAULT_SWAP : FAULT_NOT_PRESENT;
  }
  // Tracking wins over write protection: to the hardware the page is not there at all.
  return (pte & PTE_TRACKING) !== 0 ? FAULT_TRACKING : FAULT_WRITE_PROTECT;
}

function badVpn(vpn: number): never {
  throw new RangeError(`access: vpn must be an integer from 0 to ${0xfffff}, got ${vpn}`);
}

/**
 * The MMU: one user-mode access to virtual page `vpn`. On a present PTE that permits it
 * (present, no tracking bit, and RW for a write) it sets the accessed bit — and the dirty
 * bit on a write — as x86 does, and returns the frame number (≥ 0). Otherwise it returns a
 * negative fault code ({@link FAULT_NOT_PRESENT}, {@link FAULT_SWAP},
 * {@link FAULT_WRITE_PROTECT}, {@link FAULT_TRACKING}) and leaves the PTE unchanged; the
 * kernel's fault handler decides what to do. The U/S bit is not checked: every modelled
 * access is a user access to a user mapping. Allocates nothing; calls nothing on a hit.
 */
export function access(table: PageTable, vpn: number, write: boolean): number {
  if ((vpn & 0xfffff) !== vpn) return badVpn(vpn);
  const mem = table.mem;
  const base = mem[vpn >>> 10]!;
  if (base === 0) return FAULT_NOT_PRESENT;
  const i = base + (vpn & 1023);
  const pte = mem[i]!;
  if (write) {
    if ((pte & 0x263) === 0x063) return pte >>> 12;
    if ((pte & 0x203) === 0x003) {
      mem[i] = pte | 0x060;
      return pte >>> 12;
    }
  } else {
    if ((pte & 0x221) === 0x021) return pte >>> 12;
    if ((pte & 0x201) === 0x001) {
      mem[i] = pte | 0x020;
      return pte >>> 12;
    }
  }
  return classify(pte);
}

/**
 * `count` accesses to pages start, start + stride, start + 2·stride, … (stride may be 0 or
 * negative), each exactly as {@link access}. Returns how many completed before the first
 * fault — `count` when none faulted. On a fault, `table.lastFault` holds its code and the
 * faulting page is `start + done·stride`: handle the fault and resume from there.
 */
export function accessRange(
  table: PageTable,
  start: number,
  count: number,
  stride: number,
  write: boolean,
): number {
  const mem = table.mem;
  const mask = write ? 0x203 : 0x201; // PRESENT | TRACKING (| RW)
  const ok = write ? 0x003 : 0x001;
  const set = write ? 0x060 : 0x020; // ACCESSED (| DIRTY)
  let vpn = start;
  for (let n = 0; n < count; n++, vpn += stride) {
    if ((vpn & 0xfffff) !== vpn) return badVpn(vpn);
    const base = mem[vpn >>> 10]!;
    if (base === 0) {
      table.lastFault = FAULT_NOT_PRESENT;
      return n;
    }
    const i = base + (vpn & 1023);
    const pte = mem[i]!;
    if ((pte & mask) !== ok) {
      table.lastFault = classify(pte);
      return n;
    }
    if ((pte & set) !== set) mem[i] = pte | set;
  }
  return count;
}
