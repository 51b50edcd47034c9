// benchMm's shape on a small machine (figures are for the benchmark, not asserted here).
import { expect, test } from 'vitest';
import { benchMm } from '@cvhrc/mm';

test('benchMm reports the four figures of `cvhrc bench mm`', () => {
  let t = 0;
  // A fake host clock: every reading is 1 ms later, so the rates are finite and positive.
  const r = benchMm({ memoryBytes: 32 << 20, touchPasses: 2, now: () => (t += 1) });
  expect(Object.keys(r)).toEqual([
    'bench',
    'touchPerSec',
    'anonFaultsPerSec',
    'reclaimPagesPerSec',
    'hostBytesPerFrame',
  ]);
  // 32 MiB: half of it is 4096 pages, each faulted once; two passes touch 8192 pages.
  expect(r.anonFaultsPerSec).toBe(4096 * 1000);
  expect(r.touchPerSec).toBe(8192 * 1000);
  expect(r.reclaimPagesPerSec).toBeGreaterThan(0);
  // 40 bytes of struct page + the page-cache hash (at least 1024 buckets).
  expect(r.hostBytesPerFrame).toBeGreaterThanOrEqual(42);
  expect(r.hostBytesPerFrame).toBeLessThan(43);
});
