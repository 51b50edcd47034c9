// The kernel compile: processes, page-cache reads of sources and headers, heaps.
import { expect, test } from 'vitest';
import { findPage, PG_ACTIVE } from '@cvhrc/mm';
import {
  DEFAULT_TREE,
  getWorkload,
  KernelBuild,
  makeSourceTree,
  treePaths,
} from '@cvhrc/workloads';
import { kernelOf, runAlone } from './wl-helpers.js';

const tree = makeSourceTree(
  {
    ...DEFAULT_TREE,
    units: 10,
    headers: 60,
    coreHeaders: 12,
    extraHeaders: 10,
    cc1HeapMedianBytes: 2 << 20,
    cc1HeapMinBytes: 1 << 20,
  },
  11,
);

test('the tree model: sizes and include lists from the seed', () => {
  expect(tree.units).toHaveLength(10);
  for (const u of tree.units) {
    // The core headers first, in order, then distinct extras.
    expect(Array.from(u.headers.slice(0, 12))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(new Set(u.headers).size).toBe(u.headers.length);
    expect(u.headers.length).toBe(22);
    expect(u.sourceBytes).toBeGreaterThan(0);
    expect(u.heapBytes).toBeGreaterThanOrEqual(1 << 20);
  }
  expect(makeSourceTree(tree.params, 11)).toEqual(tree);
});

test('make -j2 of 10 units forks sh → gcc → cc1, as, fixdep per unit and ld once; every header goes through the page cache', () => {
  const k = kernelOf(256);
  const build = new KernelBuild({ tree, jobs: 2 });
  build.setup(k);
  // Children of make alive at once: never more than the two job slots (ld comes alone).
  let live = 0;
  let most = 0;
  const makeChildren = new Set<number>();
  k.hooks.taskCreated = (task, parent) => {
    if (parent?.pid === 1) {
      makeChildren.add(task.pid);
      most = Math.max(most, ++live);
    }
  };
  k.hooks.taskExited = (task) => {
    if (makeChildren.delete(task.pid)) live--;
  };
  const s = runAlone(k, build.program, 'make');
  expect(most).toBe(2);
  const count = (comm: string) => s.exits.filter((e) => e.comm === comm).length;
  expect(s.exits.filter((e) => e.signal !== null)).toEqual([]);
  expect([
    count('make'),
    count('sh'),
    count('gcc'),
    count('cc1'),
    count('as'),
    count('fixdep'),
    count('ld'),
  ]).toEqual([1, 10, 10, 10, 10, 10, 1]);
  const included = new Map<number, number>();
  for (const u of tree.units)
    for (const h of u.headers) included.set(h, (included.get(h) ?? 0) + 1);
  for (let h = 0; h < tree.headerBytes.length; h++) {
    const file = k.file(treePaths.header(h))!;
    const pages = Math.ceil(tree.headerBytes[h]! / 4096);
    for (let i = 0; i < pages; i++) {
      const frame = findPage(k, file.id, i);
      if (!included.has(h)) {
        expect(frame, `header ${h} never included`).toBe(-1);
        continue;
      }
      expect(frame, `header ${h} page ${i}`).toBeGreaterThanOrEqual(0);
      // Read by every unit: the second read promoted it to the active list (§A1).
      if (included.get(h)! >= 2)
        expect(k.pages.flags[frame]! & PG_ACTIVE, `header ${h}`).not.toBe(0);
    }
  }
  for (const u of tree.units)
    expect(findPage(k, k.file(treePaths.source(u.index))!.id, 0)).toBeGreaterThanOrEqual(0);
  k.checkInvariants();
});

test('jobs bound the parallelism: -j1 takes longer than -j2 on two CPUs', () => {
  const time = (jobs: number) => {
    const k = kernelOf(256);
    const inst = getWorkload('kernel-compile').instantiate(
      { units: 6, jobs, headers: 40, coreHeaders: 10, extraHeaders: 5, cc1HeapMedianMb: 2 },
      { seed: 2 },
    );
    inst.setup(k);
    runAlone(k, inst.program, inst.comm);
    return k.clock.now;
  };
  const one = time(1);
  const two = time(2);
  expect(two).toBeLessThan(one * 0.75);
});

test('several copies coexist under their roots', () => {
  const k = kernelOf(256);
  const w = getWorkload('kernel-compile');
  const params = { units: 3, headers: 20, coreHeaders: 5, extraHeaders: 5, cc1HeapMedianMb: 2 };
  const a = w.instantiate(params, { seed: 1, root: '/vservers/vm1' });
  const b = w.instantiate(params, { seed: 1, root: '/vservers/vm2' });
  a.setup(k);
  b.setup(k);
  expect(k.file('/vservers/vm1' + treePaths.header(0))).toBeDefined();
  expect(k.file('/vservers/vm2/usr/libexec/gcc/i386-redhat-linux/4.1.0/cc1')).toBeDefined();
});
