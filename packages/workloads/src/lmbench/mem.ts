/**
 * lmbench's memory benchmarks at page level (reference §F; lmbench 3 sources: lat_mem_rd.c,
 * lib_mem.c, bw_mem.c, lat_pagefault.c, lat_mmap.c, bw_mmap_rd.c, tlb.c, par_mem.c,
 * stream.c). Each runs as the shell's child and measures in benchmp children that allocate
 * their own buffers.
 */
import { PAGE_SIZE } from '@cvhrc/hw';
import type { Operation } from '@cvhrc/mm';
import {
  bandwidthLine,
  benchmp,
  command,
  fixed,
  MMAP_SYSCALL_NS,
  type BenchmpSpec,
  type LmbenchContext,
} from './benchmp.js';
import { latMemRdRanges, latMemRdStrides, parseSize } from './config.js';

const MIB = 1024 * 1024;
const WORD = 4;
const WORDS_PER_PAGE = PAGE_SIZE / WORD;

/**
 * The largest malloc that succeeds in an i386 process (3 GiB user space, mmap base at
 * 1 GiB: the biggest hole is just under 2 GiB). tlb and par_mem grow until malloc fails.
 * Assumption.
 */
export const MALLOC_MAX_BYTES = 2 * 1024 * MIB - 64 * MIB;

const pagesOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / PAGE_SIZE));
const clampWords = (w: number): number => Math.min(WORDS_PER_PAGE, Math.max(1, Math.round(w)));

/**
 * One pass (or `repeat` passes) over `pages` pages of `mapping`, each page standing for
 * `words` word accesses, priced with `workingSetBytes`.
 */
function touch(
  mapping: string,
  pages: number,
  words: number,
  write: boolean,
  repeat: number,
  workingSetBytes: number,
  extra: { order?: 'random'; seed?: number; stride?: number } = {},
): Operation {
  return {
    op: 'touch',
    mapping,
    pages,
    words: clampWords(words),
    write,
    repeat,
    workingSetBytes,
    ...extra,
  };
}

// ---- lat_mem_rd --------------------------------------------------------------------------

/** Options of {@link latMemRd}. */
export interface LatMemRdOptions {
  /** -t: a random (thrash) chain instead of the stride chain. */
  readonly thrash?: boolean;
  /** Strides; default scripts/lmbench's list (FASTMEM: 128 only). */
  readonly strides?: readonly number[];
}

/**
 * `lat_mem_rd [-t] MB strides…`: for each stride and each range 512 B … MB, a benchmp child
 * mallocs MB (+2 pages), builds the chain over the range (stride_initialize: one pointer
 * per stride, written in address order; -t thrash_initialize: pages in a random order) —
 * fresh zero-fill pages per range — then each iteration follows count = 100·(range /
 * (stride·100) + 1) loads along the chain. Prints `"stride=S` then `MB ns` per range.
 */
export function* latMemRd(
  ctx: LmbenchContext,
  options: LatMemRdOptions = {},
): Generator<Operation, void, undefined> {
  const mb = ctx.config.mb;
  const strides = options.strides ?? latMemRdStrides(ctx.config.fastmem);
  const thrash = options.thrash === true;
  yield* command(ctx, 'lat_mem_rd', function* () {
    const bufPages = pagesOf(mb * MIB + 2 * PAGE_SIZE);
    for (const stride of strides) {
      ctx.out.push(`"stride=${stride}`);
      for (const range of latMemRdRanges(mb)) {
        const pages = pagesOf(range);
        const count = 100 * (Math.floor(range / (stride * 100)) + 1);
        const order = thrash ? { order: 'random' as const, seed: ctx.rng.seed() } : {};
        const spec: BenchmpSpec = {
          *init() {
            yield { op: 'mmap', name: 'buf', pages: bufPages };
            yield touch('buf', pages, range / stride / pages, true, 1, range, order);
          },
          *body(n) {
            yield touch('buf', pages, count / pages, false, n, range, order);
          },
        };
        const r = yield* benchmp(ctx, 'lat_mem_rd', spec);
        if (r !== null) {
          ctx.out.push(`${fixed(range / MIB, 5)} ${fixed(r.medianNs / (count * r.n), 3)}`);
        }
      }
      ctx.out.push('');
    }
  });
}

// ---- bw_mem ------------------------------------------------------------------------------

/** bw_mem's operations. */
export const BW_MEM_OPS = [
  'rd',
  'wr',
  'rdwr',
  'cp',
  'frd',
  'fwr',
  'fcp',
  'bzero',
  'bcopy',
] as const;
/** One bw_mem operation. */
export type BwMemOp = (typeof BW_MEM_OPS)[number];

/**
 * Words of one page each operation reads and writes (bw_mem.c). rd/wr/rdwr/cp use every
 * fourth int of each 512-byte chunk, p[0], p[4], … p[124] — one word per 16 bytes (the
 * source's comment says a 32-byte stride; the code strides 4 ints); frd/fwr/fcp every
 * word; bzero and bcopy (libc) every word.
 */
function bwMemWords(op: BwMemOp): { src: number; dst: number; srcWrite: boolean } {
  const partial = WORDS_PER_PAGE / 4;
  switch (op) {
    case 'rd':
      return { src: partial, dst: 0, srcWrite: false };
    case 'wr':
      return { src: partial, dst: 0, srcWrite: true };
    case 'rdwr':
      return { src: 2 * partial, dst: 0, srcWrite: true };
    case 'cp':
      return { src: partial, dst: partial, srcWrite: false };
    case 'frd':
      return { src: WORDS_PER_PAGE, dst: 0, srcWrite: false };
    case 'fwr':
    case 'bzero':
      return { src: WORDS_PER_PAGE, dst: 0, srcWrite: true };
    case 'fcp':
    case 'bcopy':
      return { src: WORDS_PER_PAGE, dst: WORDS_PER_PAGE, srcWrite: false };
  }
}

/** The page-level spec of `bw_mem size op` (exported for tests). */
export function bwMemSpec(size: number, op: BwMemOp): BenchmpSpec {
  const pages = pagesOf(size);
  // A buffer smaller than a page: its words on its one page.
  const scale = Math.min(1, size / PAGE_SIZE);
  const w = bwMemWords(op);
  const needBuf2 = w.dst > 0;
  const ws = needBuf2 ? 2 * size : size;
  return {
    // init_loop: valloc(size) and bzero it; buf2 = valloc(size + 2048), not initialised.
    *init() {
      yield { op: 'mmap', name: 'buf', pages };
      yield touch('buf', pages, WORDS_PER_PAGE * scale, true, 1, size);
      if (needBuf2) yield { op: 'mmap', name: 'buf2', pages: pagesOf(size + 2048) };
    },
    *body(n) {
      if (!needBuf2) {
        yield touch('buf', pages, w.src * scale, w.srcWrite, n, ws);
        return;
      }
      // Copies read the source and write the destination in step; page-level: the source
      // pass, then the destination pass, per iteration — one operation for all n (`then`).
      yield {
        op: 'touch',
        mapping: 'buf',
        pages,
        words: clampWords(w.src * scale),
        write: false,
        repeat: n,
        workingSetBytes: ws,
        then: {
          mapping: 'buf2',
          words: clampWords(w.dst * scale),
          write: true,
          workingSetBytes: ws,
        },
      };
    },
    *cleanup() {
      yield { op: 'munmap', name: 'buf' };
      if (needBuf2) yield { op: 'munmap', name: 'buf2' };
    },
  };
}

/** `bw_mem size op` (optionally `conflict`, aligned copies: same pattern): `MB MB/s`. */
export function* bwMem(
  ctx: LmbenchContext,
  sizeText: string,
  op: BwMemOp,
): Generator<Operation, void, undefined> {
  const size = parseSize(sizeText);
  yield* command(ctx, 'bw_mem', function* () {
    const r = yield* benchmp(ctx, 'bw_mem', bwMemSpec(size, op));
    if (r !== null) ctx.out.push(bandwidthLine(size, r.medianNs / r.n));
  });
}

// ---- lat_pagefault -----------------------------------------------------------------------

/**
 * `lat_pagefault FILE`: two benchmps over the file mapped shared read-only — mmap/munmap
 * alone, then one read per page in a random permutation (srand(getpid())) followed by
 * munmap+mmap — and the difference per page. Files under 1 MB are refused.
 */
export function* latPagefault(
  ctx: LmbenchContext,
  fileBytes: number,
): Generator<Operation, void, undefined> {
  yield* command(ctx, 'lat_pagefault', function* () {
    const npages = Math.floor(fileBytes / PAGE_SIZE);
    if (npages * PAGE_SIZE < MIB) return;
    const map: Operation = {
      op: 'mmap',
      name: 'where',
      file: ctx.file,
      pages: npages,
      shared: true,
      writable: false,
    };
    const unmap: Operation = { op: 'munmap', name: 'where' };
    const seed = ctx.rng.seed();
    const onlyMmap = yield* benchmp(ctx, 'lat_pagefault', {
      *init() {
        yield map;
      },
      *body(n) {
        for (let i = 0; i < n; i++) {
          yield unmap;
          yield map;
          yield { op: 'compute', ns: 2 * MMAP_SYSCALL_NS };
        }
      },
    });
    const combined = yield* benchmp(ctx, 'lat_pagefault', {
      *init() {
        yield map;
      },
      *body(n) {
        for (let i = 0; i < n; i++) {
          yield {
            op: 'touch',
            mapping: 'where',
            pages: npages,
            order: 'random',
            seed,
            words: 1,
            write: false,
          };
          yield unmap;
          yield map;
          yield { op: 'compute', ns: 2 * MMAP_SYSCALL_NS };
        }
      },
    });
    if (onlyMmap !== null && combined !== null) {
      const perPage = (combined.medianNs / combined.n - onlyMmap.medianNs / onlyMmap.n) / npages;
      ctx.out.push(`Pagefaults on ${ctx.file}: ${fixed(perPage / 1000, 4)} microseconds`);
    }
  });
}

// ---- lat_mmap ----------------------------------------------------------------------------

/** lat_mmap's PSIZE (16 KB) and MINSIZE (2 × 10 × PSIZE). */
const PSIZE = 16 * 1024;
const LAT_MMAP_MINSIZE = 2 * 10 * PSIZE;

/**
 * `lat_mmap size FILE`: each iteration maps the first `size` bytes shared read/write, writes
 * one byte every 16 KB over the first size/10, and unmaps. Sizes under 320 KB exit at once.
 * Prints `MB µs`.
 */
export function* latMmap(
  ctx: LmbenchContext,
  sizeText: string,
): Generator<Operation, void, undefined> {
  const size = parseSize(sizeText);
  yield* command(ctx, 'lat_mmap', function* () {
    if (size < LAT_MMAP_MINSIZE) return;
    const pages = pagesOf(size);
    const touched = Math.ceil(size / 10 / PSIZE);
    const r = yield* benchmp(ctx, 'lat_mmap', {
      *body(n) {
        for (let i = 0; i < n; i++) {
          yield { op: 'mmap', name: 'where', file: ctx.file, pages, shared: true };
          yield {
            op: 'touch',
            mapping: 'where',
            pages: touched,
            stride: PSIZE / PAGE_SIZE,
            words: 1,
            write: true,
          };
          yield { op: 'munmap', name: 'where' };
          yield { op: 'compute', ns: 2 * MMAP_SYSCALL_NS };
        }
      },
    });
    if (r !== null) ctx.out.push(`${fixed(size / 1e6, 6)} ${fixed(r.medianNs / r.n / 1000, 0)}`);
  });
}

// ---- bw_mmap_rd --------------------------------------------------------------------------

/**
 * `bw_mmap_rd size mmap_only|open2close FILE`: bread() sums every word of the first `size`
 * bytes of the file mapped shared read-only — mapped once (mmap_only) or mapped and unmapped
 * around each pass (open2close). A size beyond the file is refused.
 */
export function* bwMmapRd(
  ctx: LmbenchContext,
  sizeText: string,
  mode: 'mmap_only' | 'open2close',
  fileBytes: number,
): Generator<Operation, void, undefined> {
  const size = parseSize(sizeText);
  yield* command(ctx, 'bw_mmap_rd', function* () {
    if (size > fileBytes) return;
    const pages = pagesOf(size);
    const words = WORDS_PER_PAGE * Math.min(1, size / PAGE_SIZE);
    const map: Operation = {
      op: 'mmap',
      name: 'buf',
      file: ctx.file,
      pages,
      shared: true,
      writable: false,
    };
    const spec: BenchmpSpec =
      mode === 'mmap_only'
        ? {
            *init() {
              yield map;
            },
            *body(n) {
              yield touch('buf', pages, words, false, n, size);
            },
          }
        : {
            *body(n) {
              for (let i = 0; i < n; i++) {
                yield map;
                yield touch('buf', pages, words, false, 1, size);
                yield { op: 'munmap', name: 'buf' };
                yield { op: 'compute', ns: 2 * MMAP_SYSCALL_NS };
              }
            },
          };
    const r = yield* benchmp(ctx, 'bw_mmap_rd', spec);
    if (r !== null) ctx.out.push(bandwidthLine(size, r.medianNs / r.n));
  });
}

// ---- tlb ---------------------------------------------------------------------------------

/**
 * `tlb -L LINE -M MB`: for pages = 2, 4, … it times a chain with one load per page (random
 * page order; initialize_tlb touches each page once) against the same number of loads
 * packed in few pages (initialize_cache); the first size where the first is 1.25× slower
 * bounds the TLB, then a linear search and a last doubling sweep to -M (until malloc
 * fails). Each timed iteration is 100 loads that continue along the chain.
 */
export function* tlb(ctx: LmbenchContext): Generator<Operation, void, undefined> {
  yield* command(ctx, 'tlb', function* () {
    // -M ${MB}M read as MB megabytes of pages. (tlb.c's own arithmetic, 1024·1024·MB pages,
    // would sweep until malloc fails, past physical memory; the evident intent is MB.)
    const maxpages = Math.floor((ctx.config.mb * MIB) / PAGE_SIZE);
    const fits = (pages: number): boolean => (pages + 1) * PAGE_SIZE <= MALLOC_MAX_BYTES;
    function* times(pages: number): Generator<Operation, [number, number] | null, undefined> {
      const seed = ctx.rng.seed();
      const chain = (mapping: string, span: number, words: number, random: boolean) =>
        function* (loads: number): Generator<Operation, void, undefined> {
          // Page visits of `words` loads each, at least one; whole passes, then the rest.
          const visits = Math.max(1, Math.round(loads / words));
          const passes = Math.floor(visits / span);
          const rest = visits - passes * span;
          const extra = random ? { order: 'random' as const, seed } : {};
          const ws = pages * (random ? PAGE_SIZE : WORD);
          if (passes > 0) yield touch(mapping, span, words, false, passes, ws, extra);
          if (rest > 0) yield touch(mapping, rest, words, false, 1, ws, extra);
        };
      const tlbLoads = chain('addr', pages, 1, true);
      const t = yield* benchmp(ctx, 'tlb', {
        *init() {
          yield { op: 'mmap', name: 'addr', pages: pages + 1 };
          yield touch('addr', pages, 1, true, 1, pages * PAGE_SIZE, { order: 'random', seed });
          yield* tlbLoads(pages + 100);
        },
        body: (n) => tlbLoads(100 * n),
      });
      const npages = Math.floor((pages * WORD + PAGE_SIZE) / PAGE_SIZE);
      const perPage = Math.max(1, Math.floor(pages / npages));
      const cacheLoads = chain('addr', npages, perPage, false);
      const c = yield* benchmp(ctx, 'tlb', {
        *init() {
          yield { op: 'mmap', name: 'addr', pages: npages + 2 };
          yield touch('addr', npages, perPage, true, 1, pages * WORD);
          yield* cacheLoads(npages * (PAGE_SIZE / WORD) + 100);
        },
        body: (n) => cacheLoads(100 * n),
      });
      if (t === null || c === null) return null;
      const tlbNs = t.medianNs / (100 * t.n);
      const cacheNs = c.medianNs / (100 * c.n);
      ctx.out.push(`${pages} ${fixed(tlbNs, 5)} ${fixed(cacheNs, 5)}`);
      return [tlbNs, cacheNs];
    }
    let found = 2;
    let i = 2;
    for (; i <= maxpages && fits(i); i <<= 1) {
      const r = yield* times(i);
      if (r !== null && r[0] / r[1] > 1.25) {
        i >>= 1;
        break;
      }
      found = i;
    }
    if (i < maxpages && fits(i)) {
      for (++i; i <= maxpages && fits(i); ++i) {
        const r = yield* times(i);
        if (r !== null && r[0] / r[1] > 1.25) break;
        found = i;
      }
      for (i = 2; i <= maxpages && fits(i); i <<= 1) yield* times(i);
    }
    ctx.out.push(`tlb: ${found} pages`);
  });
}

// ---- par_mem -----------------------------------------------------------------------------

/** MAX_MEM_PARALLELISM of lib_mem.h. */
const MAX_MEM_PARALLELISM = 16;

/**
 * `par_mem -L LINE -M MB`: for len = 16·LINE, doubling, to MB, par_mem() times 1 … 16
 * interleaved chains over len (line_initialize: lines of every page, pages in random order;
 * each benchmp child builds its own chain) and prints the best speed-up over one chain.
 */
export function* parMem(ctx: LmbenchContext): Generator<Operation, void, undefined> {
  yield* command(ctx, 'par_mem', function* () {
    const line = ctx.config.lineSize;
    const maxlen = ctx.config.mb * MIB;
    for (let len = MAX_MEM_PARALLELISM * line; len <= maxlen && len <= MALLOC_MAX_BYTES; len *= 2) {
      const pages = pagesOf(len);
      const linesPerPage = Math.max(1, Math.min(len, PAGE_SIZE) / line);
      let one = 0;
      let best = 0;
      for (let width = 1; width <= MAX_MEM_PARALLELISM; width++) {
        const seed = ctx.rng.seed();
        const loads = 100 * width;
        const r = yield* benchmp(ctx, 'par_mem', {
          *init() {
            yield { op: 'mmap', name: 'buf', pages: pagesOf(maxlen) };
            yield touch('buf', pages, linesPerPage, true, 1, len, { order: 'random', seed });
          },
          *body(n) {
            const total = loads * n;
            const visits = Math.max(1, Math.round(total / linesPerPage));
            const passes = Math.floor(visits / pages);
            const rest = visits - passes * pages;
            if (passes > 0)
              yield touch('buf', pages, linesPerPage, false, passes, len, {
                order: 'random',
                seed,
              });
            if (rest > 0)
              yield touch('buf', rest, linesPerPage, false, 1, len, { order: 'random', seed });
          },
        });
        if (r === null) continue;
        const perLoad = r.medianNs / (loads * r.n);
        if (width === 1) one = perLoad;
        else if (perLoad > 0) best = Math.max(best, one / perLoad);
      }
      if (best > 0) ctx.out.push(`${fixed(len / 1e6, 6)} ${fixed(best, 2)}`);
    }
  });
}

// ---- stream ------------------------------------------------------------------------------

/**
 * `stream [-v 2] -M MB`: three arrays of doubles (a, b, c) of MB/3 each, initialised by
 * the benchmp child; version 1 times copy (c=a), scale (b=s·c), add (c=a+b) and triad
 * (a=b+s·c); version 2 fill (a=s), copy, daxpy (a+=s·b) and sum (s+=a). Each kernel is
 * one benchmp; lines `STREAM <k> latency: … nanoseconds` and `… bandwidth: … MB/sec`.
 */
export function* stream(
  ctx: LmbenchContext,
  version: 1 | 2,
): Generator<Operation, void, undefined> {
  yield* command(ctx, 'stream', function* () {
    const bytes = Math.floor((ctx.config.mb * MIB) / 3 / 8) * 8;
    const pages = pagesOf(bytes);
    const kernels: [string, string[], string[]][] =
      version === 1
        ? [
            ['copy', ['a'], ['c']],
            ['scale', ['c'], ['b']],
            ['add', ['a', 'b'], ['c']],
            ['triad', ['b', 'c'], ['a']],
          ]
        : [
            ['fill', [], ['a']],
            ['copy', ['a'], ['c']],
            ['daxpy', ['a', 'b'], ['a']],
            ['sum', ['a'], []],
          ];
    for (const [name, reads, writes] of kernels) {
      const arrays = new Set([...reads, ...writes]).size;
      const ws = arrays * bytes;
      const r = yield* benchmp(ctx, 'stream', {
        *init() {
          for (const a of ['a', 'b', 'c']) {
            yield { op: 'mmap', name: a, pages };
            yield touch(a, pages, WORDS_PER_PAGE, true, 1, 3 * bytes);
          }
        },
        *body(n) {
          for (let i = 0; i < n; i++) {
            for (const a of reads) yield touch(a, pages, WORDS_PER_PAGE, false, 1, ws);
            for (const a of writes) yield touch(a, pages, WORDS_PER_PAGE, true, 1, ws);
          }
        },
      });
      if (r === null) continue;
      const elements = bytes / 8;
      const perElement = r.medianNs / r.n / elements;
      const moved = (reads.length + writes.length) * bytes;
      ctx.out.push(
        `STREAM${version === 2 ? '2' : ''} ${name} latency: ${fixed(perElement, 2)} nanoseconds`,
      );
      ctx.out.push(
        `STREAM${version === 2 ? '2' : ''} ${name} bandwidth: ${fixed(moved / 1e6 / (r.medianNs / r.n / 1e9), 2)} MB/sec`,
      );
    }
  });
}
