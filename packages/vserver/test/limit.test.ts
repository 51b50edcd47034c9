// The limit check of §E: update rmax if rcur > rmax; OK if unlimited or rcur + n ≤ rlim;
// else lhit++ and fail.
import { expect, test } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '@cvhrc/mm';
import { RLIM_INFINITY, VServerHost, VxLimit, type VxResource } from '@cvhrc/vserver';
import { errnoOf, smallKernel } from './helpers.js';

test('the check rule: watermark, unlimited, cur + n ≤ lim, hits', () => {
  const l = new VxLimit();
  l.cur = 8;
  expect(l.check(1_000_000)).toBe(true); // unlimited
  expect(l.max).toBe(8); // rcur > rmax: rmax updated by the check
  l.lim = 10;
  expect(l.check(2)).toBe(true); // 8 + 2 ≤ 10
  expect(l.check(3)).toBe(false); // 8 + 3 > 10
  expect(l.hits).toBe(1);
  l.cur = 12; // over a lowered limit
  expect(l.check(0)).toBe(false);
  expect([l.max, l.hits]).toEqual([12, 2]);
  l.cur = 5;
  expect(l.check(5)).toBe(true);
  expect([l.cur, l.max, l.lim, l.hits]).toEqual([5, 12, 10, 2]);
});

test('a context RSS limit: checks pass up to it, then count hits', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  host.setLimit(100, 'RSS', 16);
  const t = host.startTask(100, 't');
  const v = k.mmap(t, {
    pages: 16,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  for (let i = 0; i < 12; i++) k.userAccess(t, v + i, true);
  expect(host.check(100, 'RSS', 4)).toBe(true);
  expect(host.check(100, 'RSS', 5)).toBe(false);
  for (let i = 12; i < 16; i++) k.userAccess(t, v + i, true);
  expect(host.check(100, 'RSS', 1)).toBe(false);
  expect(host.usage(100, 'RSS')).toEqual({ cur: 16, max: 16, lim: 16, hits: 2 });
  host.setLimit(100, 'RSS', RLIM_INFINITY);
  expect(host.check(100, 'RSS', 1)).toBe(true);
  expect(errnoOf(() => host.setLimit(100, 'RSS', -1))).toBe('EINVAL');
  expect(errnoOf(() => host.setLimit(100, 'RSS', 1.5))).toBe('EINVAL');
  expect(errnoOf(() => host.check(5, 'RSS', 1))).toBe('ENOENT');
  expect(errnoOf(() => host.usage(100, 'CPU' as VxResource))).toBe('EINVAL');
});
