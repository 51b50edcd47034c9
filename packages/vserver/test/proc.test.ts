// /proc/virtual/<xid>/{info,status,limit}: the rows and columns of §E; a guest sees only
// its own context, the host sees all.
import { expect, test } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '@cvhrc/mm';
import { readProcVirtual, VServerHost } from '@cvhrc/vserver';
import { errnoOf, smallKernel } from './helpers.js';

function setup() {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  host.createContext(200);
  const a = host.startTask(100, 'a');
  const b = host.startTask(200, 'b');
  const v = k.mmap(a, {
    pages: 16,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  for (let i = 0; i < 16; i++) k.userAccess(a, v + i, true);
  host.setLimit(100, 'RSS', 20);
  return { k, host, a, b, root: k.createTask('root') };
}

test('limit: 13 rows × current, max, limit (-1: unlimited), hits', () => {
  const { host, a } = setup();
  const row = (name: string, cur: number, max: number, lim: number, hits: number): string =>
    `${`${name}:`.padEnd(6)}\t${String(cur).padStart(10)}\t${String(max).padStart(10)}\t${String(lim).padStart(10)}\t${String(hits).padStart(6)}\n`;
  const zero = (name: string): string => row(name, 0, 0, -1, 0);
  expect(readProcVirtual(host, a, '/proc/virtual/100/limit')).toBe(
    row('PROC', 1, 1, -1, 0) +
      row('VM', 16, 16, -1, 0) +
      zero('VML') +
      row('RSS', 16, 16, 20, 0) +
      row('ANON', 16, 16, -1, 0) +
      ['FILES', 'OFD', 'LOCKS', 'SOCK', 'MSGQ', 'SHM', 'SEMA', 'SEMS'].map(zero).join(''),
  );
});

test('info and status', () => {
  const { host, a } = setup();
  expect(readProcVirtual(host, a, '/proc/virtual/100/info')).toBe(`ID:\t100\nInit:\t${a.pid}\n`);
  expect(readProcVirtual(host, a, '/proc/virtual/100/status')).toBe('UseCnt:\t2\nTasks:\t1\n');
});

test('a guest sees only its own context; the host sees all', () => {
  const { host, a, b, root } = setup();
  expect(errnoOf(() => readProcVirtual(host, b, '/proc/virtual/100/limit'))).toBe('ENOENT');
  expect(errnoOf(() => readProcVirtual(host, a, '/proc/virtual/200/info'))).toBe('ENOENT');
  expect(readProcVirtual(host, b, '/proc/virtual/200/info')).toContain('ID:\t200');
  for (const xid of [100, 200]) {
    for (const f of ['info', 'status', 'limit']) {
      expect(readProcVirtual(host, root, `/proc/virtual/${xid}/${f}`).length).toBeGreaterThan(0);
    }
  }
  expect(errnoOf(() => readProcVirtual(host, root, '/proc/virtual/300/info'))).toBe('ENOENT');
  expect(errnoOf(() => readProcVirtual(host, root, '/proc/virtual/100/hrc'))).toBe('ENOENT');
  expect(errnoOf(() => readProcVirtual(host, root, '/proc/meminfo'))).toBe('ENOENT');
});
