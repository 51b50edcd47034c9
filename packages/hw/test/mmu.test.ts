import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  access,
  accessRange,
  FAULT_NOT_PRESENT,
  FAULT_SWAP,
  FAULT_TRACKING,
  FAULT_WRITE_PROTECT,
  faultName,
  makePte,
  makeSwapPte,
  PageTable,
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_FLAGS_MASK,
  PTE_PRESENT,
  PTE_RW,
  PTE_SWAP,
  PTE_TRACKING,
  PTE_USER,
} from '@cvhrc/hw';

const RW = PTE_PRESENT | PTE_RW | PTE_USER;
const RO = PTE_PRESENT | PTE_USER;

function tableWith(vpn: number, pte: number): PageTable {
  const t = new PageTable();
  t.set(vpn, pte);
  return t;
}

describe('access: accessed and dirty bits as x86 sets them', () => {
  test('a read sets A only and returns the frame', () => {
    const t = tableWith(5, makePte(77, RW));
    expect(access(t, 5, false)).toBe(77);
    expect(t.get(5)).toBe(makePte(77, RW | PTE_ACCESSED));
  });

  test('a write to a writable page sets A and D', () => {
    const t = tableWith(5, makePte(77, RW));
    expect(access(t, 5, true)).toBe(77);
    expect(t.get(5)).toBe(makePte(77, RW | PTE_ACCESSED | PTE_DIRTY));
  });

  test('a read of a dirty page keeps D; a second read changes nothing', () => {
    const t = tableWith(5, makePte(77, RW | PTE_DIRTY));
    expect(access(t, 5, false)).toBe(77);
    expect(t.get(5)).toBe(makePte(77, RW | PTE_DIRTY | PTE_ACCESSED));
    expect(access(t, 5, false)).toBe(77);
    expect(t.get(5)).toBe(makePte(77, RW | PTE_DIRTY | PTE_ACCESSED));
  });

  test('a read of a read-only page sets A', () => {
    const t = tableWith(5, makePte(3, RO));
    expect(access(t, 5, false)).toBe(3);
    expect(t.get(5)).toBe(makePte(3, RO | PTE_ACCESSED));
  });

  test('frame 0 is a valid frame, not a fault', () => {
    const t = tableWith(0, makePte(0, RW));
    expect(access(t, 0, true)).toBe(0);
  });

  test('high frames come back unsigned', () => {
    const t = tableWith(9, makePte(0xfffff, RW));
    expect(access(t, 9, true)).toBe(0xfffff);
    expect(t.get(9)).toBe(0xfffff067);
  });

  test('property: a hit sets exactly A (and D on a write); other bits are kept', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xfffff }),
        fc.integer({ min: 0, max: PTE_FLAGS_MASK }),
        fc.boolean(),
        (frame, rawFlags, write) => {
          const flags = (rawFlags & ~(PTE_SWAP | PTE_TRACKING)) | PTE_PRESENT;
          const t = tableWith(1234, makePte(frame, flags));
          const before = t.get(1234);
          const r = access(t, 1234, write);
          if (write && (flags & PTE_RW) === 0) {
            expect(r).toBe(FAULT_WRITE_PROTECT);
            expect(t.get(1234)).toBe(before);
          } else {
            expect(r).toBe(frame);
            const added = write ? PTE_ACCESSED | PTE_DIRTY : PTE_ACCESSED;
            expect(t.get(1234)).toBe((before | added) >>> 0);
          }
        },
      ),
    );
  });
});

describe('access: fault codes, PTE left unchanged', () => {
  const cases: [string, number | undefined, boolean, number][] = [
    ['no second-level table', undefined, false, FAULT_NOT_PRESENT],
    ['pte none', 0, true, FAULT_NOT_PRESENT],
    ['non-present, no swap entry', makePte(5, PTE_RW | PTE_USER), false, FAULT_NOT_PRESENT],
    ['swap entry, read', makeSwapPte(99, 1), false, FAULT_SWAP],
    ['swap entry, write', makeSwapPte(99, 1), true, FAULT_SWAP],
    ['write to read-only', makePte(5, RO), true, FAULT_WRITE_PROTECT],
    ['tracking, read', makePte(5, RW | PTE_TRACKING), false, FAULT_TRACKING],
    ['tracking, write', makePte(5, RW | PTE_TRACKING), true, FAULT_TRACKING],
    ['tracking beats write protection', makePte(5, RO | PTE_TRACKING), true, FAULT_TRACKING],
  ];
  test.each(cases)('%s', (_name, pte, write, fault) => {
    const t = new PageTable();
    if (pte !== undefined) {
      t.set(100, makePte(1, RW)); // allocate the table
      t.set(100, pte);
    }
    const before = t.get(100);
    expect(access(t, 100, write)).toBe(fault);
    expect(t.get(100)).toBe(before);
  });

  test('fault names', () => {
    expect(faultName(FAULT_NOT_PRESENT)).toBe('not-present');
    expect(faultName(FAULT_SWAP)).toBe('swap');
    expect(faultName(FAULT_WRITE_PROTECT)).toBe('write-protect');
    expect(faultName(FAULT_TRACKING)).toBe('tracking');
    expect(faultName(12)).toBe('none');
  });

  test('a vpn outside 0 … 2^20 − 1 is a bug and throws', () => {
    const t = new PageTable();
    expect(() => access(t, 1 << 20, false)).toThrow(RangeError);
    expect(() => access(t, -1, false)).toThrow(RangeError);
    expect(() => access(t, 2 ** 32 + 5, false)).toThrow(RangeError);
    expect(() => access(t, 1.5, false)).toThrow(RangeError);
  });
});

describe('accessRange', () => {
  function populated(count: number, flags = RW): PageTable {
    const t = new PageTable();
    for (let v = 0; v < count; v++) t.set(v, makePte(v + 1000, flags));
    return t;
  }

  test('completes every page and sets the bits', () => {
    const t = populated(3000);
    expect(accessRange(t, 0, 3000, 1, true)).toBe(3000);
    expect(t.get(2999)).toBe(makePte(3999, RW | PTE_ACCESSED | PTE_DIRTY));
  });

  test('stops at the first fault and reports it', () => {
    const t = populated(3000);
    t.set(1500, makePte(1, RO));
    t.set(2000, makePte(2, RW | PTE_TRACKING));
    // Stride 10 from 1000: pages 1000, 1010, … ; 1500 is the 51st (index 50).
    expect(accessRange(t, 1000, 200, 10, false)).toBe(100); // reads pass 1500, stop at 2000
    expect(t.lastFault).toBe(FAULT_TRACKING);
    expect(accessRange(t, 1000, 200, 10, true)).toBe(50);
    expect(t.lastFault).toBe(FAULT_WRITE_PROTECT);
    // Pages before the fault were touched, the faulting one and later ones were not.
    expect(t.get(1490)).toBe(makePte(2490, RW | PTE_ACCESSED | PTE_DIRTY));
    expect(t.get(1500)).toBe(makePte(1, RO | PTE_ACCESSED)); // from the read pass
    expect(t.get(2000)).toBe(makePte(2, RW | PTE_TRACKING));
    expect(t.get(1510)).toBe(makePte(2510, RW | PTE_ACCESSED));
  });

  test('runs off the populated region into a missing table', () => {
    const t = populated(1024);
    expect(accessRange(t, 1000, 100, 1, false)).toBe(24);
    expect(t.lastFault).toBe(FAULT_NOT_PRESENT);
  });

  test('negative and zero strides', () => {
    const t = populated(100);
    t.set(10, makeSwapPte(3));
    expect(accessRange(t, 50, 100, -1, false)).toBe(40);
    expect(t.lastFault).toBe(FAULT_SWAP);
    expect(accessRange(t, 5, 7, 0, true)).toBe(7);
    expect(accessRange(t, 5, 0, 1, true)).toBe(0);
  });

  test('resuming after handling the fault finishes the walk', () => {
    const t = populated(64);
    for (let v = 0; v < 64; v += 8) t.set(v, 0);
    let start = 0;
    let left = 64;
    let faults = 0;
    while (left > 0) {
      const done = accessRange(t, start, left, 1, true);
      start += done;
      left -= done;
      if (left > 0) {
        expect(t.lastFault).toBe(FAULT_NOT_PRESENT);
        t.set(start, makePte(start + 1000, RW)); // the kernel maps the page
        faults++;
      }
    }
    expect(faults).toBe(8);
  });

  test('agrees with access() page by page', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 1, 2, 3, 4), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (kinds, write) => {
          const make = (k: number, v: number): number =>
            [makePte(v, RW), makePte(v, RO), 0, makeSwapPte(v), makePte(v, RW | PTE_TRACKING)][k]!;
          const a = new PageTable();
          const b = new PageTable();
          kinds.forEach((k, v) => {
            a.set(v, make(k, v));
            b.set(v, make(k, v));
          });
          const done = accessRange(a, 0, kinds.length, 1, write);
          let expected = 0;
          let code = 0;
          for (; expected < kinds.length; expected++) {
            code = access(b, expected, write);
            if (code < 0) break;
          }
          expect(done).toBe(expected);
          if (done < kinds.length) expect(a.lastFault).toBe(code);
          for (let v = 0; v < kinds.length; v++) expect(a.get(v)).toBe(b.get(v));
        },
      ),
    );
  });
});
