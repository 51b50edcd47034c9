// The README's example, with its comments turned into assertions.
import { expect, test } from 'vitest';
import {
  access,
  accessRange,
  createMachine,
  FAULT_NOT_PRESENT,
  FAULT_TRACKING,
  makePte,
  PageTable,
  parseMachineConfig,
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_PRESENT,
  PTE_RW,
  PTE_TRACKING,
  PTE_USER,
} from '@cvhrc/hw';

test('README example', () => {
  const config = parseMachineConfig({ costs: { minorFaultNs: 2500 } }, 'machine.json');
  const { clock, events, costs, disk } = createMachine(config);
  expect(costs.describe().find((r) => r.name === 'minorFaultNs')?.value).toBe(2500);

  const pt = new PageTable();
  const rwu = PTE_PRESENT | PTE_RW | PTE_USER;
  pt.set(0x400, makePte(17, rwu));
  expect(access(pt, 0x400, true)).toBe(17);
  expect(pt.get(0x400)).toBe(makePte(17, rwu | PTE_ACCESSED | PTE_DIRTY));

  pt.setFlags(0x400, PTE_TRACKING);
  const before = pt.get(0x400);
  expect(access(pt, 0x400, false)).toBe(FAULT_TRACKING);
  expect(pt.get(0x400)).toBe(before);
  pt.clearFlags(0x400, PTE_TRACKING);

  const done = accessRange(pt, 0x400, 4, 1, false);
  expect(done).toBe(1);
  expect(pt.lastFault).toBe(FAULT_NOT_PRESENT);
  clock.advance(costs.minorFaultNs);
  pt.set(0x400 + done, makePte(18, rwu));
  expect(accessRange(pt, 0x401, 3, 1, false)).toBe(1);
  clock.advance(costs.memoryAccessNs(1024, 4 * 4096));
  expect(clock.now).toBe(2500 + Math.round(1024 * costs.cacheWordNs));

  let completed = 0;
  disk.submit({
    op: 'read',
    offsetBytes: 8 * 4096,
    lengthBytes: 4096,
    onComplete: (c) => (completed = c.completedNs),
  });
  const start = clock.now;
  events.run();
  expect(completed).toBe(start + costs.diskLatency(0, 8 * 4096, 4096).totalNs);
});
