/**
 * lmbench 3 as the paper ran it (reference §F): scripts/lmbench's order over the answers of
 * config-run, in two settings — Lmbench-Mem (the DEVELOPMENT subset with only the
 * memory-related questions answered yes: PAGEFAULT, MMAP, BCOPY, MEMORY HIERARCHY) and
 * Lmbench-All (everything yes).
 */
import { procMeminfo, type Kernel, type Operation, type Program } from '@cvhrc/mm';
import { SeededRandom } from '../random.js';
import { ensureFile, execImage, ProgramClock, rooted, setupSystem, SH } from '../system.js';
import { LMBENCH_BINARIES, lmbenchBinary, msleep, type LmbenchContext } from './benchmp.js';
import { configRunMb, memTotalKb, parseSize, sizeLists, type LmbenchConfig } from './config.js';
import {
  bwMem,
  bwMmapRd,
  latMemRd,
  latMmap,
  latPagefault,
  parMem,
  stream,
  tlb,
  type BwMemOp,
} from './mem.js';
import {
  bwFileRd,
  bwIpc,
  latCtx,
  latFs,
  latIpc,
  latOps,
  latProc,
  latSelect,
  latSig,
  latSyscall,
  lmdd,
  networking,
} from './os.js';

/** Which of lmbench's settings. */
export type LmbenchSubset = 'mem' | 'all';

/** Options of an lmbench run. */
export interface LmbenchOptions {
  readonly subset: LmbenchSubset;
  readonly seed: number;
  /** Root of the files (binaries, $FSDIR). */
  readonly root?: string;
  /** MB answered to config-run; 0 or absent: its default, 70 % of MemTotal. */
  readonly mb?: number;
  /** ENOUGH, µs. */
  readonly enoughUs?: number;
  readonly fastmem?: boolean;
  readonly slowfs?: boolean;
  /**
   * Lmbench-Mem only: write $FILE with lmdd before the file benchmarks. The script writes it
   * only when FILE is answered yes; without it lat_pagefault, lat_mmap and bw_mmap_rd find no
   * file and exit at once.
   */
  readonly createFile?: boolean;
  /** lat_mem_rd strides; default the script's (16 … 1024, or 128 with FASTMEM). */
  readonly strides?: readonly number[];
}

/**
 * ENOUGH: the timing interval config-run measures with `enough` (its granularity test); 5000
 * µs is what it reports on Linux with a microsecond gettimeofday (assumption).
 */
export const DEFAULT_ENOUGH_US = 5000;
/** LINE_SIZE config-run measures with `line`: 64 bytes on a Core 2 (assumption). */
export const DEFAULT_LINE_SIZE = 64;
/** FSDIR: config-run's first writable of /usr/tmp, /tmp, /var/tmp. */
export const FSDIR = '/usr/tmp';

/** An lmbench run: files at setup, then the script as one program. */
export class LmbenchRun {
  readonly options: LmbenchOptions;
  readonly clock = new ProgramClock();
  readonly #out: string[] = [];
  #config: LmbenchConfig | null = null;

  constructor(options: LmbenchOptions) {
    this.options = options;
  }

  /** The configuration (known after setup: MB comes from the kernel's MemTotal). */
  get config(): LmbenchConfig {
    if (this.#config === null) throw new Error('lmbench: call setup(kernel) first');
    return this.#config;
  }

  /** Result lines printed so far. */
  results(): readonly string[] {
    return this.#out;
  }

  /** config-run on `kernel` (MemTotal from /proc/meminfo) and the files lmbench needs. */
  setup(kernel: Kernel): void {
    const o = this.options;
    this.clock.bind(kernel);
    const root = o.root ?? '';
    const mb = configRunMb(memTotalKb(procMeminfo(kernel)), o.mb);
    const { half, all } = sizeLists(mb);
    this.#config = {
      mb,
      totalMb: Math.floor(memTotalKb(procMeminfo(kernel)) / 1024),
      syncMax: 1,
      fastmem: o.fastmem ?? false,
      slowfs: o.slowfs ?? false,
      enoughUs: o.enoughUs ?? DEFAULT_ENOUGH_US,
      lineSize: DEFAULT_LINE_SIZE,
      half,
      all,
    };
    setupSystem(kernel, root);
    for (const name of LMBENCH_BINARIES) {
      const b = lmbenchBinary(name);
      ensureFile(kernel, root, b.path, b.bytes);
    }
    ensureFile(kernel, root, '/tmp/hello', 8 * 1024);
    // $FILE: lmdd writes MB megabytes into it (move=${MB}m).
    ensureFile(kernel, root, `${FSDIR}/XXX`, mb * 1024 * 1024);
  }

  /** The script, from a fresh start each time it is iterated. */
  get program(): Program {
    return { [Symbol.iterator]: () => this.#script() };
  }

  *#script(): Generator<Operation, void, undefined> {
    const o = this.options;
    const config = this.config;
    this.#out.length = 0;
    const root = o.root ?? '';
    const ctx: LmbenchContext = {
      root,
      clock: this.clock,
      config,
      rng: new SeededRandom(o.seed),
      file: rooted(root, `${FSDIR}/XXX`),
      fsdir: rooted(root, FSDIR),
      out: this.#out,
    };
    const all = o.subset === 'all';
    const fileBytes = config.mb * 1024 * 1024;
    const fileWritten = all || o.createFile !== false;
    const out = this.#out;
    out.push(
      `[lmbench3.0 results for Linux 2.6.17]`,
      `[MB: ${config.mb}]`,
      `[ENOUGH: ${config.enoughUs}]`,
    );
    yield* execImage(root, SH);
    // Latency measurements.
    yield* msleep(ctx, 250);
    if (all) {
      yield* latSyscall(ctx);
      yield* latSelect(ctx);
      yield* latSig(ctx);
      yield* latIpc(ctx, 'pipe');
      yield* latIpc(ctx, 'unix');
      for (const mode of ['fork', 'exec', 'shell'] as const) yield* latProc(ctx, mode);
      yield* latOps(ctx, false);
      yield* latOps(ctx, true);
    }
    if (fileWritten) yield* lmdd(ctx, fileBytes);
    const fileSize = fileWritten ? fileBytes : 0;
    if (fileWritten) yield* latPagefault(ctx, fileSize);
    out.push('', '"mappings');
    for (const s of config.all) if (fileWritten && parseSize(s) <= fileSize) yield* latMmap(ctx, s);
    out.push('');
    if (all && !config.slowfs) {
      out.push('"File system latency');
      yield* latFs(ctx);
      out.push('');
    }
    if (all) yield* networking(ctx);
    // Bandwidth measurements.
    yield* msleep(ctx, 250);
    if (all) {
      yield* bwIpc(ctx, 'unix');
      yield* bwIpc(ctx, 'pipe');
      for (const mode of ['io_only', 'open2close'] as const) {
        out.push('', mode === 'io_only' ? '"read bandwidth' : '"read open2close bandwidth');
        for (const s of config.all) yield* bwFileRd(ctx, s, mode, fileSize);
      }
    }
    for (const mode of ['mmap_only', 'open2close'] as const) {
      out.push(
        '',
        mode === 'mmap_only' ? '"Mmap read bandwidth' : '"Mmap read open2close bandwidth',
      );
      for (const s of config.all) yield* bwMmapRd(ctx, s, mode, fileSize);
    }
    const bw: [string, BwMemOp, readonly string[]][] = [
      ['"libc bcopy unaligned', 'bcopy', config.half],
      ['"libc bcopy aligned', 'bcopy', config.half],
      ['Memory bzero bandwidth', 'bzero', config.all],
      ['"unrolled bcopy unaligned', 'fcp', config.half],
      ['"unrolled partial bcopy unaligned', 'cp', config.half],
      ['Memory read bandwidth', 'frd', config.all],
      ['Memory partial read bandwidth', 'rd', config.all],
      ['Memory write bandwidth', 'fwr', config.all],
      ['Memory partial write bandwidth', 'wr', config.all],
      ['Memory partial read/write bandwidth', 'rdwr', config.all],
    ];
    for (const [title, op, sizes] of bw) {
      out.push('', title);
      for (const s of sizes) yield* bwMem(ctx, s, op);
    }
    out.push('');
    if (all) {
      yield* msleep(ctx, 250);
      const ns = [2, 4, 8, 16, 24, 32, 64, 96];
      for (const size of config.mb >= 8 ? [0, 4, 8, 16, 32, 64] : [0, 4, 8, 16, 32])
        yield* latCtx(ctx, size, ns);
    }
    // MEMORY HIERARCHY (BENCHMARK_MEM): tlb and par_mem with SYNC_MAX = 1, STREAM, lat_mem_rd.
    yield* msleep(ctx, 250);
    yield* tlb(ctx);
    yield* msleep(ctx, 250);
    out.push('Memory load parallelism');
    yield* parMem(ctx);
    yield* msleep(ctx, 250);
    yield* stream(ctx, 1);
    yield* stream(ctx, 2);
    yield* msleep(ctx, 250);
    out.push('', 'Memory load latency');
    yield* latMemRd(ctx, o.strides === undefined ? {} : { strides: o.strides });
  }
}
