/**
 * x86-32 page-table entries (no PAE): 32-bit integers with the hardware bits at their real
 * positions, the frame number in bits 12–31, and software bits for the kernel in the bits
 * the CPU leaves available (9–11).
 *
 * ```
 *  31                      12 11  10  9   8   7   6   5   4   3   2   1   0
 * |  page frame number      |SPR|SWP|TRK| G |PAT| D | A |PCD|PWT| U |R/W| P |   present
 * |  swap slot              | 0 | 1 | 0 | 0   0 |   swap type (0–31)  | 0 |   swap entry
 * ```
 * A PTE of 0 is "none" (nothing mapped). A non-present PTE with {@link PTE_SWAP} set holds a
 * swap entry: the slot in bits 12–31, the swap device ("type") in bits 1–5 (as Linux i386
 * keeps its type in bits 1–5), present = 0. {@link PTE_TRACKING} on a present PTE makes every
 * access trap although the frame stays mapped: on a real CPU the kernel would clear the
 * present bit and keep a software bit, as Linux does for PROT_NONE pages.
 */

/** Hardware bits. */
export const PTE_PRESENT = 1 << 0;
export const PTE_RW = 1 << 1;
export const PTE_USER = 1 << 2;
export const PTE_PWT = 1 << 3;
export const PTE_PCD = 1 << 4;
export const PTE_ACCESSED = 1 << 5;
export const PTE_DIRTY = 1 << 6;
export const PTE_PAT = 1 << 7;
export const PTE_GLOBAL = 1 << 8;

/** Software bit 9: an access to this present page traps with FAULT_TRACKING. */
export const PTE_TRACKING = 1 << 9;
/** Software bit 10: in a non-present PTE, the rest of the entry is a swap entry. */
export const PTE_SWAP = 1 << 10;
/** Software bit 11: unused by hw, free for the kernel above. */
export const PTE_SPARE = 1 << 11;

/** Bits 0–11: the flags part of a PTE. */
export const PTE_FLAGS_MASK = 0xfff;
/** The frame (or swap slot) starts at bit 12. */
export const PTE_FRAME_SHIFT = 12;
/** Largest frame number a PTE can hold (20 bits: 4 GiB of 4 KiB frames). */
export const PTE_MAX_FRAME = 0xfffff;
/** Largest swap slot a swap entry can hold. */
export const SWAP_MAX_SLOT = 0xfffff;
/** Largest swap type (device number) a swap entry can hold. */
export const SWAP_MAX_TYPE = 31;
const SWAP_TYPE_SHIFT = 1;

const checkFrame = (frame: number, what: string): void => {
  if (!Number.isInteger(frame) || frame < 0 || frame > PTE_MAX_FRAME) {
    throw new RangeError(`${what} must be an integer from 0 to ${PTE_MAX_FRAME}, got ${frame}`);
  }
};

/**
 * A PTE for `frame` with the given flag bits (any of bits 0–11 except PTE_SWAP, e.g.
 * `PTE_PRESENT | PTE_RW | PTE_USER`). Returned as an unsigned 32-bit number.
 */
export function makePte(frame: number, flags: number): number {
  checkFrame(frame, 'makePte: frame');
  if (!Number.isInteger(flags) || flags < 0 || flags > PTE_FLAGS_MASK || flags & PTE_SWAP) {
    throw new RangeError(
      `makePte: flags must be bits 0–11 without PTE_SWAP (use makeSwapPte), got 0x${flags.toString(16)}`,
    );
  }
  return ((frame << PTE_FRAME_SHIFT) | flags) >>> 0;
}

/** A non-present PTE holding swap entry (`type`, `slot`). */
export function makeSwapPte(slot: number, type = 0): number {
  checkFrame(slot, 'makeSwapPte: slot');
  if (!Number.isInteger(type) || type < 0 || type > SWAP_MAX_TYPE) {
    throw new RangeError(
      `makeSwapPte: type must be an integer from 0 to ${SWAP_MAX_TYPE}, got ${type}`,
    );
  }
  return ((slot << PTE_FRAME_SHIFT) | (type << SWAP_TYPE_SHIFT) | PTE_SWAP) >>> 0;
}

/** Frame number of a PTE (bits 12–31). */
export function pteFrame(pte: number): number {
  return pte >>> PTE_FRAME_SHIFT;
}

/** Flag bits 0–11 of a PTE. */
export function pteFlags(pte: number): number {
  return pte & PTE_FLAGS_MASK;
}

/** True when every bit of `flags` is set in the PTE. */
export function pteHas(pte: number, flags: number): boolean {
  return (pte & flags) === flags;
}

/** The PTE with `flags` set (unsigned). */
export function pteSet(pte: number, flags: number): number {
  return (pte | flags) >>> 0;
}

/** The PTE with `flags` cleared (unsigned). */
export function pteClear(pte: number, flags: number): number {
  return (pte & ~flags) >>> 0;
}

/** The PTE with its frame replaced, flags kept. */
export function pteWithFrame(pte: number, frame: number): number {
  checkFrame(frame, 'pteWithFrame: frame');
  return ((frame << PTE_FRAME_SHIFT) | (pte & PTE_FLAGS_MASK)) >>> 0;
}

/** pte_none: nothing mapped, nothing swapped. */
export function pteIsNone(pte: number): boolean {
  return pte === 0;
}

/** pte_present. */
export function pteIsPresent(pte: number): boolean {
  return (pte & PTE_PRESENT) !== 0;
}

/** A non-present PTE holding a swap entry. */
export function pteIsSwap(pte: number): boolean {
  return (pte & (PTE_PRESENT | PTE_SWAP)) === PTE_SWAP;
}

/** Swap slot of a swap-entry PTE (check {@link pteIsSwap} first). */
export function pteSwapSlot(pte: number): number {
  return pte >>> PTE_FRAME_SHIFT;
}

/** Swap type (device) of a swap-entry PTE (check {@link pteIsSwap} first). */
export function pteSwapType(pte: number): number {
  return (pte >>> SWAP_TYPE_SHIFT) & SWAP_MAX_TYPE;
}

const FLAG_NAMES: readonly [number, string][] = [
  [PTE_PRESENT, 'P'],
  [PTE_RW, 'RW'],
  [PTE_USER, 'U'],
  [PTE_PWT, 'PWT'],
  [PTE_PCD, 'PCD'],
  [PTE_ACCESSED, 'A'],
  [PTE_DIRTY, 'D'],
  [PTE_PAT, 'PAT'],
  [PTE_GLOBAL, 'G'],
  [PTE_TRACKING, 'TRK'],
  [PTE_SPARE, 'SPR'],
];

/** A PTE for people: `none`, `swap type=0 slot=42`, or `frame=0x1f P RW U A D`. */
export function formatPte(pte: number): string {
  if (pteIsNone(pte)) return 'none';
  if (pteIsSwap(pte)) return `swap type=${pteSwapType(pte)} slot=${pteSwapSlot(pte)}`;
  const names = FLAG_NAMES.filter(([bit]) => (pte & bit) !== 0).map(([, name]) => name);
  if ((pte & PTE_PRESENT) === 0) names.unshift('not-present');
  return `frame=0x${pteFrame(pte).toString(16)}${names.length > 0 ? ' ' : ''}${names.join(' ')}`;
}
