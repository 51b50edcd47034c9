// The README example, with its printed answers checked.
import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { Kernel, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '@cvhrc/mm';
import { expect, test } from 'vitest';
import { readProcVirtual, VServerHost } from '@cvhrc/vserver';

test('README example', () => {
  const k = new Kernel({
    machine: createMachine(parseMachineConfig({ memory: { bytes: 64 << 20 } })),
  });
  const host = new VServerHost(k);
  host.createContext(100);
  host.setLimit(100, 'RSS', 1024);
  const init = host.startTask(100, 'init');
  const heap = k.mmap(init, {
    pages: 16,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  for (let i = 0; i < 16; i++) k.userAccess(init, heap + i, true);
  const child = k.fork(init);
  expect(host.xidOf(child)).toBe(100);
  expect(host.usage(100, 'RSS').cur).toBe(16);
  expect(host.usage(100, 'VM').cur).toBe(32);
  expect(host.check(100, 'RSS', 2000)).toBe(false);
  const rows = readProcVirtual(host, child, '/proc/virtual/100/limit')
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s+/));
  expect(rows.slice(0, 5)).toEqual([
    ['PROC:', '2', '2', '-1', '0'],
    ['VM:', '32', '32', '-1', '0'],
    ['VML:', '0', '0', '-1', '0'],
    ['RSS:', '16', '16', '1024', '1'],
    ['ANON:', '32', '32', '-1', '0'],
  ]);
  expect(rows.map((r) => r[0])).toEqual(
    'PROC VM VML RSS ANON FILES OFD LOCKS SOCK MSGQ SHM SEMA SEMS'.split(' ').map((n) => `${n}:`),
  );
  const sshd = k.createTask('sshd');
  host.migrate(sshd, 100);
  expect(host.xidOf(sshd)).toBe(100);
  expect(host.contextOfMm(sshd.mm!)).toBeUndefined();
});
