import { describe, expect, test } from 'vitest';
import {
  makePte,
  makeSwapPte,
  PAGE_TABLE_BYTES,
  PageTable,
  PTE_ACCESSED,
  PTE_PRESENT,
  PTE_RW,
  PTE_USER,
  pteFrame,
  PTRS_PER_PGD,
  PTRS_PER_PTE,
  VPN_COUNT,
} from '@cvhrc/hw';

const P = PTE_PRESENT | PTE_RW | PTE_USER;

describe('PageTable', () => {
  test('geometry: 1024 × 1024 entries of 4 KiB pages over 32-bit addresses', () => {
    expect(PTRS_PER_PGD).toBe(1024);
    expect(PTRS_PER_PTE).toBe(1024);
    expect(VPN_COUNT).toBe(2 ** 20);
    expect(PAGE_TABLE_BYTES).toBe(4096);
  });

  test('an empty table has only the directory', () => {
    const t = new PageTable();
    expect(t.tableCount).toBe(0);
    expect(t.get(12345)).toBe(0);
    expect(t.hasTable(12345)).toBe(false);
    expect(t.memory()).toMatchObject({
      secondLevelTables: 0,
      x86Bytes: 4096,
      directoryBytes: 4096,
      secondLevelBytes: 0,
    });
  });

  test('second-level tables are allocated on first use, one per 1024 pages', () => {
    const t = new PageTable(1);
    t.set(0, makePte(10, P));
    t.set(1023, makePte(11, P));
    expect(t.tableCount).toBe(1);
    t.set(1024, makePte(12, P));
    t.set(VPN_COUNT - 1, makePte(13, P));
    expect(t.tableCount).toBe(3);
    // Storing none where there is no table allocates nothing.
    t.set(5000, 0);
    expect(t.tableCount).toBe(3);
    expect(pteFrame(t.get(0))).toBe(10);
    expect(pteFrame(t.get(1023))).toBe(11);
    expect(pteFrame(t.get(1024))).toBe(12);
    expect(pteFrame(t.get(VPN_COUNT - 1))).toBe(13);
    expect(t.get(1)).toBe(0);
  });

  test('slot: the index of a PTE in mem, −1 without its table; rewriting it there is a set', () => {
    const t = new PageTable(1);
    expect(t.slot(2048)).toBe(-1);
    t.set(2049, makePte(0xfffff, P)); // a frame ≥ 2^19: negative as stored
    const at = t.slot(2049);
    expect(at).toBeGreaterThan(0);
    expect(t.mem[at]! >>> 0).toBe(t.get(2049));
    t.mem[at] = t.mem[at]! | PTE_ACCESSED;
    expect(t.get(2049)).toBe(makePte(0xfffff, P | PTE_ACCESSED));
    expect(t.slot(2048)).toBe(at - 1);
    expect(() => t.slot(VPN_COUNT)).toThrow(RangeError);
  });

  test('memory report: 4 KiB directory + 4 KiB per table, host bytes at least that', () => {
    const t = new PageTable(1);
    // 2 GiB of pages: 524,288 PTEs in 512 second-level tables.
    for (let vpn = 0; vpn < 524_288; vpn++) t.set(vpn, makePte(vpn, P));
    const m = t.memory();
    expect(m.secondLevelTables).toBe(512);
    expect(m.secondLevelBytes).toBe(512 * 4096);
    expect(m.x86Bytes).toBe(4096 + 512 * 4096);
    expect(m.hostBytes).toBeGreaterThanOrEqual(m.x86Bytes);
    expect(m.hostBytes).toBeLessThanOrEqual(2 * m.x86Bytes);
  });

  test('set returns the old entry; flags helpers', () => {
    const t = new PageTable();
    expect(t.set(7, makePte(1, P))).toBe(0);
    expect(t.set(7, makePte(2, P))).toBe(makePte(1, P));
    expect(t.setFlags(7, PTE_ACCESSED)).toBe(makePte(2, P | PTE_ACCESSED));
    expect(t.testAndClear(7, PTE_ACCESSED)).toBe(true);
    expect(t.testAndClear(7, PTE_ACCESSED)).toBe(false);
    expect(t.get(7)).toBe(makePte(2, P));
    expect(t.clearFlags(7, PTE_RW)).toBe(makePte(2, PTE_PRESENT | PTE_USER));
    expect(t.setFlags(8, PTE_ACCESSED)).toBe(0);
    expect(t.get(8)).toBe(0);
  });

  test('walk visits populated entries in order, skipping missing tables', () => {
    const t = new PageTable();
    const vpns = [3, 1023, 1024, 5000, 700_000];
    for (const v of vpns) t.set(v, makePte(v & 0xffff, P));
    t.set(5001, makeSwapPte(9));
    const seen: number[] = [];
    const n = t.walk(0, VPN_COUNT, (vpn) => {
      seen.push(vpn);
    });
    expect(seen).toEqual([3, 1023, 1024, 5000, 5001, 700_000]);
    expect(n).toBe(6);
    const partial: number[] = [];
    t.walk(1023, 2, (vpn) => {
      partial.push(vpn);
    });
    expect(partial).toEqual([1023, 1024]);
  });

  test('walk can rewrite entries (e.g. clear the accessed bit)', () => {
    const t = new PageTable();
    for (let v = 0; v < 10; v++) t.set(v, makePte(v, P | PTE_ACCESSED));
    t.walk(0, 10, (_vpn, pte) => pte & ~PTE_ACCESSED);
    for (let v = 0; v < 10; v++) expect(t.get(v)).toBe(makePte(v, P));
  });

  test('clearRange and freeEmptyTables', () => {
    const t = new PageTable();
    for (let v = 0; v < 3000; v++) t.set(v, makePte(v, P));
    expect(t.tableCount).toBe(3);
    expect(t.clearRange(1000, 1100)).toBe(1100);
    expect(t.get(999)).not.toBe(0);
    expect(t.get(1000)).toBe(0);
    expect(t.get(2099)).toBe(0);
    expect(t.get(2100)).not.toBe(0);
    // Table 1 (vpn 1024–2047) is now empty; tables 0 and 2 are not.
    expect(t.freeEmptyTables(0, 3000)).toBe(1);
    expect(t.tableCount).toBe(2);
    expect(t.hasTable(1500)).toBe(false);
    // A freed table comes back clean when reused.
    t.set(1500, makePte(1, P));
    expect(t.tableCount).toBe(3);
    let populated = 0;
    t.walk(1024, 1024, () => {
      populated++;
    });
    expect(populated).toBe(1);
    t.clear();
    expect(t.tableCount).toBe(0);
    expect(t.get(0)).toBe(0);
  });

  test('vpns outside the 32-bit address space are refused', () => {
    const t = new PageTable();
    expect(() => t.get(VPN_COUNT)).toThrow(RangeError);
    expect(() => t.set(-1, 1)).toThrow(RangeError);
    expect(() => t.walk(0, VPN_COUNT + 1, () => undefined)).toThrow(RangeError);
  });
});
