import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  formatPte,
  makePte,
  makeSwapPte,
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_FLAGS_MASK,
  PTE_GLOBAL,
  PTE_MAX_FRAME,
  PTE_PAT,
  PTE_PCD,
  PTE_PRESENT,
  PTE_PWT,
  PTE_RW,
  PTE_SPARE,
  PTE_SWAP,
  PTE_TRACKING,
  PTE_USER,
  pteClear,
  pteFlags,
  pteFrame,
  pteHas,
  pteIsNone,
  pteIsPresent,
  pteIsSwap,
  pteSet,
  pteSwapSlot,
  pteSwapType,
  pteWithFrame,
  SWAP_MAX_SLOT,
  SWAP_MAX_TYPE,
} from '@cvhrc/hw';

describe('PTE bit layout', () => {
  test('hardware bits sit at their x86 positions', () => {
    expect([PTE_PRESENT, PTE_RW, PTE_USER, PTE_PWT, PTE_PCD]).toEqual([1, 2, 4, 8, 16]);
    expect([PTE_ACCESSED, PTE_DIRTY, PTE_PAT, PTE_GLOBAL]).toEqual([32, 64, 128, 256]);
  });

  test('software bits use the available bits 9–11', () => {
    expect([PTE_TRACKING, PTE_SWAP, PTE_SPARE]).toEqual([1 << 9, 1 << 10, 1 << 11]);
    expect(PTE_FLAGS_MASK).toBe(0xfff);
  });

  test('a known PTE', () => {
    const pte = makePte(0x12345, PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED);
    expect(pte).toBe(0x12345027);
    expect(pteFrame(pte)).toBe(0x12345);
    expect(pteFlags(pte)).toBe(0x027);
    expect(formatPte(pte)).toBe('frame=0x12345 P RW U A');
  });

  test('the highest frame gives an unsigned 32-bit entry', () => {
    const pte = makePte(PTE_MAX_FRAME, PTE_PRESENT | PTE_DIRTY);
    expect(pte).toBe(0xfffff041);
    expect(pte).toBeGreaterThan(0);
    expect(pteFrame(pte)).toBe(PTE_MAX_FRAME);
  });

  test('set, clear, has', () => {
    let pte = makePte(7, PTE_PRESENT);
    pte = pteSet(pte, PTE_ACCESSED | PTE_DIRTY);
    expect(pteHas(pte, PTE_ACCESSED | PTE_DIRTY)).toBe(true);
    pte = pteClear(pte, PTE_DIRTY);
    expect(pteHas(pte, PTE_ACCESSED)).toBe(true);
    expect(pteHas(pte, PTE_ACCESSED | PTE_DIRTY)).toBe(false);
    expect(pteFrame(pte)).toBe(7);
    expect(pteFrame(pteWithFrame(pte, 9))).toBe(9);
    expect(pteFlags(pteWithFrame(pte, 9))).toBe(PTE_PRESENT | PTE_ACCESSED);
  });

  test('none, present, swap', () => {
    expect(pteIsNone(0)).toBe(true);
    expect(formatPte(0)).toBe('none');
    const swap = makeSwapPte(42, 3);
    expect(pteIsSwap(swap)).toBe(true);
    expect(pteIsPresent(swap)).toBe(false);
    expect(pteIsNone(swap)).toBe(false);
    expect(pteSwapSlot(swap)).toBe(42);
    expect(pteSwapType(swap)).toBe(3);
    expect(formatPte(swap)).toBe('swap type=3 slot=42');
    expect(pteIsSwap(makePte(42, PTE_PRESENT))).toBe(false);
  });

  test('bad inputs are refused', () => {
    expect(() => makePte(PTE_MAX_FRAME + 1, PTE_PRESENT)).toThrow(RangeError);
    expect(() => makePte(-1, PTE_PRESENT)).toThrow(RangeError);
    expect(() => makePte(1.5, PTE_PRESENT)).toThrow(RangeError);
    expect(() => makePte(1, 0x1000)).toThrow(RangeError);
    expect(() => makePte(1, PTE_PRESENT | PTE_SWAP)).toThrow(/makeSwapPte/);
    expect(() => makeSwapPte(SWAP_MAX_SLOT + 1)).toThrow(RangeError);
    expect(() => makeSwapPte(0, SWAP_MAX_TYPE + 1)).toThrow(RangeError);
  });

  test('property: frame and flags round-trip', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: PTE_MAX_FRAME }),
        fc.integer({ min: 0, max: PTE_FLAGS_MASK }).map((f) => f & ~PTE_SWAP),
        (frame, flags) => {
          const pte = makePte(frame, flags);
          expect(pte >>> 0).toBe(pte);
          expect(pteFrame(pte)).toBe(frame);
          expect(pteFlags(pte)).toBe(flags);
          expect(pteIsPresent(pte)).toBe((flags & PTE_PRESENT) !== 0);
          expect(pteIsSwap(pte)).toBe(false);
        },
      ),
    );
  });

  test('property: swap entries round-trip and are never present', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SWAP_MAX_SLOT }),
        fc.integer({ min: 0, max: SWAP_MAX_TYPE }),
        (slot, type) => {
          const pte = makeSwapPte(slot, type);
          expect(pteIsSwap(pte)).toBe(true);
          expect(pteIsPresent(pte)).toBe(false);
          expect(pteIsNone(pte)).toBe(false);
          expect(pteSwapSlot(pte)).toBe(slot);
          expect(pteSwapType(pte)).toBe(type);
        },
      ),
    );
  });

  test('property: set then clear restores the entry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: PTE_MAX_FRAME }),
        fc.constantFrom(PTE_ACCESSED, PTE_DIRTY, PTE_TRACKING, PTE_RW, PTE_SPARE),
        (frame, bit) => {
          const pte = makePte(frame, PTE_PRESENT);
          expect(pteClear(pteSet(pte, bit), bit)).toBe(pte);
        },
      ),
    );
  });
});
