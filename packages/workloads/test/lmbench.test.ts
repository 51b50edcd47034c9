// lmbench's configuration and the page-level patterns of its memory benchmarks.
import { PAGE_SIZE } from '@cvhrc/hw';
import { expect, test } from 'vitest';
import {
  bwMemSpec,
  configRunMb,
  getWorkload,
  latMemRdRanges,
  latMemRdStrides,
  parseSize,
  sizeLists,
  type BwMemOp,
} from '@cvhrc/workloads';
import type { Operation, TouchOp } from '@cvhrc/mm';
import { kernelOf, runAlone } from './wl-helpers.js';

const K = 1024;
const M = 1024 * 1024;

test('lat_mem_rd ranges for MB = 1024 follow step() from 512 bytes to 1020 MB', () => {
  const r = latMemRdRanges(1024);
  // 512, 1k; 2k–4k by 1k; 6k–32k by 2k; 36k–64k by 4k; 72k–128k by 8k; 144k–256k by 16k;
  // 288k–512k by 32k; 1m–4m by 512k; 5m–8m by 1m; 10m–20m by 2m; 30m–1020m by 10m.
  expect(r.length).toBe(2 + 3 + 14 + 8 + 8 + 8 + 8 + 7 + 4 + 6 + 100);
  expect(r.slice(0, 8)).toEqual([512, K, 2 * K, 3 * K, 4 * K, 6 * K, 8 * K, 10 * K]);
  expect(r).toContain(32 * K);
  expect(r).toContain(36 * K);
  expect(r).toContain(288 * K);
  expect(r).toContain(1536 * K);
  expect(r).toContain(7 * M);
  expect(r).toContain(10 * M);
  expect(r).toContain(20 * M);
  expect(r).toContain(30 * M);
  expect(r.at(-1)).toBe(1020 * M);
  expect(r).not.toContain(1024 * M);
  for (let i = 1; i < r.length; i++) expect(r[i]).toBeGreaterThan(r[i - 1]!);
  expect(latMemRdStrides(false)).toEqual([16, 32, 64, 128, 256, 512, 1024]);
  expect(latMemRdStrides(true)).toEqual([128]);
});

test('config-run: MB is 70 % of MemTotal, with its checks; HALF and ALL lists', () => {
  // 2 GiB less the kernel's reservations: MemTotal ≈ 2,070,000 kB → 2021 MB → 1414.
  expect(configRunMb(2_070_000)).toBe(1414);
  expect(configRunMb(2_070_000, 1024)).toBe(1024);
  // memsize never grants more than there is.
  expect(configRunMb(2_070_000, 4096)).toBe(2021);
  // Two copies that do not fit: MemTotal / SYNC_MAX / 2.
  expect(configRunMb(2_070_000, 1414, 2)).toBe(505);
  expect(() => configRunMb(10_000)).toThrow(/not enough memory, only 6MB/);
  const { half, all } = sizeLists(1414);
  expect(all.slice(0, 14)).toEqual([
    '512',
    '1k',
    '2k',
    '4k',
    '8k',
    '16k',
    '32k',
    '64k',
    '128k',
    '256k',
    '512k',
    '1m',
    '2m',
    '4m',
  ]);
  expect(all.at(-1)).toBe('1024m');
  expect(half.at(-1)).toBe('512m');
  expect(all.length).toBe(13 + 9);
  expect(half.length).toBe(12 + 9);
  expect(parseSize('4k')).toBe(4096);
  expect(parseSize('512m')).toBe(512 * M);
  expect(() => parseSize('4g')).toThrow(/not a size/);
});

const touches = (ops: Iterable<Operation>): TouchOp[] =>
  [...ops].filter((o): o is TouchOp => o.op === 'touch');

test('bw_mem rd over 8 MB: bzero faults every page once, each iteration reads one word per 16 bytes of every page', () => {
  const size = 8 * M;
  const pages = size / PAGE_SIZE;
  const spec = bwMemSpec(size, 'rd');
  const init = [...spec.init!()];
  const body = touches(spec.body(3));
  // One pass over all 2048 pages, 256 loads each (p[0], p[4], … of every 512-byte chunk), 3 times.
  expect(body).toHaveLength(1);
  expect(body[0]).toMatchObject({
    mapping: 'buf',
    pages,
    words: 256,
    write: false,
    repeat: 3,
    workingSetBytes: size,
  });
  const k = kernelOf(64);
  const seen = new Map<number, number>();
  let accesses = 0;
  k.hooks.mmCreated = (mm) => {
    mm.accessObserver = (vpn) => {
      seen.set(vpn, (seen.get(vpn) ?? 0) + 1);
      accesses++;
    };
  };
  runAlone(k, [...init, ...body], 'bw_mem');
  // bzero writes every page once (its fault included), then 3 passes read every page.
  expect(seen.size).toBe(pages);
  for (const n of seen.values()) expect(n).toBe(1 + 3);
  expect(accesses).toBe(4 * pages);
  expect(k.vm.pgfault).toBeGreaterThanOrEqual(pages);
});

test('bw_mem: each operation over its buffers', () => {
  const cases: [BwMemOp, number, number, boolean][] = [
    // op, words per page of buf, of buf2 (0: none), buf written
    ['rd', 256, 0, false],
    ['wr', 256, 0, true],
    ['rdwr', 512, 0, true],
    ['cp', 256, 256, false],
    ['frd', 1024, 0, false],
    ['fwr', 1024, 0, true],
    ['fcp', 1024, 1024, false],
    ['bzero', 1024, 0, true],
    ['bcopy', 1024, 1024, false],
  ];
  for (const [op, src, dst, srcWrite] of cases) {
    const spec = bwMemSpec(64 * K, op);
    const init = [...spec.init!()];
    expect(init.filter((o) => o.op === 'mmap').length, op).toBe(dst > 0 ? 2 : 1);
    // One operation for every iteration; a copy's passes over buf and then buf2 (`then`).
    const t = touches(spec.body(5));
    expect(t, op).toHaveLength(1);
    expect(t[0], op).toMatchObject({
      mapping: 'buf',
      pages: 16,
      words: src,
      write: srcWrite,
      repeat: 5,
    });
    if (dst > 0) {
      expect(t[0]!.then, op).toEqual({
        mapping: 'buf2',
        words: dst,
        write: true,
        workingSetBytes: 2 * 64 * K,
      });
    } else expect(t[0]!.then, op).toBeUndefined();
  }
  // Under a page: the words of the buffer on its one page.
  expect(touches(bwMemSpec(512, 'frd').body(1))[0]).toMatchObject({ pages: 1, words: 128 });
});

test('Lmbench-Mem runs in forked children in lmbench order and prints its lines', () => {
  const k = kernelOf(48);
  const inst = getWorkload('lmbench-mem').instantiate(
    { mb: 8, enoughUs: 100, strides: '64' },
    { seed: 1 },
  );
  inst.setup(k);
  const s = runAlone(k, inst.program, inst.comm);
  const lines = inst.results();
  const idx = (re: RegExp) => lines.findIndex((l) => re.test(l));
  expect(lines).toContain('[MB: 8]');
  const order = [
    /write bandwidth: \d+ KB\/sec/,
    /^Pagefaults on \/usr\/tmp\/XXX: \d+\.\d{4} microseconds$/,
    /^"mappings$/,
    /^"Mmap read bandwidth$/,
    /^"libc bcopy unaligned$/,
    /^Memory bzero bandwidth$/,
    /^Memory partial read\/write bandwidth$/,
    /^tlb: \d+ pages$/,
    /^Memory load parallelism$/,
    /^STREAM copy latency: /,
    /^STREAM2 sum bandwidth: /,
    /^"stride=64$/,
  ];
  const at = order.map(idx);
  for (let i = 0; i < at.length; i++) expect(at[i], String(order[i])).toBeGreaterThanOrEqual(0);
  for (let i = 1; i < at.length; i++) expect(at[i]!, String(order[i])).toBeGreaterThan(at[i - 1]!);
  // lat_mem_rd: one line per range up to 8 MB.
  const stride = idx(/^"stride=64$/);
  const ranges = latMemRdRanges(8);
  const latLines = lines.slice(stride + 1, stride + 1 + ranges.length);
  expect(latLines.map((l) => l.split(' ')[0])).toEqual(ranges.map((r) => (r / M).toFixed(5)));
  for (const l of latLines) expect(Number(l.split(' ')[1])).toBeGreaterThan(0);
  // Every benchmark ran in forked children: the shell's children and their benchmp children.
  const comms = new Set(s.exits.map((e) => e.comm));
  for (const c of [
    'lat_mem_rd',
    'bw_mem',
    'lat_pagefault',
    'lat_mmap',
    'bw_mmap_rd',
    'tlb',
    'par_mem',
    'stream',
    'lmdd',
  ]) {
    expect(comms, c).toContain(c);
  }
  expect(s.exits.filter((e) => e.signal !== null)).toEqual([]);
}, 120_000);
