/**
 * lmbench's process structure and timing harness, at page level: the shell forks and execs
 * each benchmark binary; the benchmark's benchmp() forks a child that allocates its own
 * buffers (initialize), ramps the iteration count up until one timing interval lasts at
 * least ENOUGH, takes TRIES timed repetitions and reports the median (lib_timing.c), frees
 * (cleanup) and exits; the parent waits and prints the result line.
 */
import type { Operation } from '@cvhrc/mm';
import type { SeededRandom } from '../random.js';
import { execImage, type BinarySpec, type ProgramClock } from '../system.js';
import type { LmbenchConfig } from './config.js';

/** TRIES of bench.h: timed repetitions per measurement. */
export const TRIES = 11;

/** Most iterations one timing interval runs. */
const MAX_ITERATIONS = 1 << 24;

/**
 * The system-call part of mmap() and munmap() (entry, argument checks, VMA work), ns; the
 * kernel model charges the page-table and TLB work itself. Assumption (~1.5 µs each at
 * 1.86 GHz).
 */
export const MMAP_SYSCALL_NS = 1500;

/** Where the lmbench binaries live (under the workload's root). */
export const LMBENCH_BIN = '/usr/local/lmbench/bin/i686-pc-linux-gnu';

/** Everything a benchmark program needs while it is generated. */
export interface LmbenchContext {
  readonly root: string;
  readonly clock: ProgramClock;
  readonly config: LmbenchConfig;
  readonly rng: SeededRandom;
  /** $FILE: the MB-sized test file (rooted path). */
  readonly file: string;
  /** $FSDIR (rooted path). */
  readonly fsdir: string;
  /** Result lines, in the order lmbench prints them. */
  readonly out: string[];
}

/** A benchmark binary: ~48 KB, linked with lib_timing/lib_mem (assumption). */
export function lmbenchBinary(name: string): BinarySpec {
  return { path: `${LMBENCH_BIN}/${name}`, bytes: 48 * 1024, dataPages: 2, hotTextPages: 8 };
}

/** Names of every lmbench binary the suite runs (their files are created at setup). */
export const LMBENCH_BINARIES = [
  'lat_mem_rd',
  'bw_mem',
  'lat_pagefault',
  'lat_mmap',
  'bw_mmap_rd',
  'tlb',
  'par_mem',
  'stream',
  'lmdd',
  'msleep',
  'lat_syscall',
  'lat_select',
  'lat_sig',
  'lat_pipe',
  'lat_unix',
  'lat_proc',
  'hello',
  'lat_ops',
  'par_ops',
  'lat_fs',
  'lat_udp',
  'lat_tcp',
  'lat_rpc',
  'lat_connect',
  'bw_tcp',
  'lat_http',
  'lmhttp',
  'bw_unix',
  'bw_pipe',
  'bw_file_rd',
  'lat_ctx',
] as const;

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** What one benchmp() measured: iterations per repetition and the median time of one. */
export interface BenchmpResult {
  n: number;
  medianNs: number;
}

/** Parts of one benchmp() call. */
export interface BenchmpSpec {
  /** initialize(): allocates and fills the child's buffers. */
  readonly init?: () => Iterable<Operation>;
  /** The benchmark body for `n` iterations. */
  readonly body: (n: number) => Iterable<Operation>;
  /** cleanup() before the child exits (its mappings go at exit anyway). */
  readonly cleanup?: () => Iterable<Operation>;
  /** Repetitions (lmbench's -N); default TRIES. */
  readonly repetitions?: number;
}

/**
 * The child side of benchmp: initialize, ramp (lib_timing's warm-up: the iteration count
 * grows, ×1.1·ENOUGH/t, at least doubling, until one interval lasts ENOUGH), then TRIES
 * timed intervals; `into` receives the median. Time is read from the simulated clock.
 */
export function* benchmpChild(
  ctx: LmbenchContext,
  spec: BenchmpSpec,
  into: BenchmpResult,
): Generator<Operation, void, undefined> {
  const enough = ctx.config.enoughUs * 1000;
  if (spec.init !== undefined) yield* spec.init();
  let n = 1;
  for (;;) {
    const t0 = ctx.clock.now();
    yield* spec.body(n);
    const t = ctx.clock.now() - t0;
    // A body that takes no simulated time cannot fill the interval: give up at 2^24.
    if (t >= enough * 0.95 || n >= MAX_ITERATIONS) break;
    // Too short to measure: double; else aim past ENOUGH (×1.1), at least doubling.
    n = Math.min(
      MAX_ITERATIONS,
      t <= 0 ? n * 2 : Math.max(n * 2, Math.ceil((n * 1.1 * enough) / t)),
    );
  }
  const times: number[] = [];
  const reps = spec.repetitions ?? TRIES;
  for (let r = 0; r < reps; r++) {
    const t0 = ctx.clock.now();
    yield* spec.body(n);
    times.push(ctx.clock.now() - t0);
  }
  if (spec.cleanup !== undefined) yield* spec.cleanup();
  into.n = n;
  into.medianNs = median(times);
}

/**
 * benchmp() as the benchmark process calls it: fork a child running {@link benchmpChild},
 * wait for it. The result is filled in once the child has finished (null if it was killed).
 */
export function* benchmp(
  ctx: LmbenchContext,
  comm: string,
  spec: BenchmpSpec,
): Generator<Operation, BenchmpResult | null, undefined> {
  const result: BenchmpResult = { n: 0, medianNs: 0 };
  yield { op: 'fork', comm, program: benchmpChild(ctx, spec, result) };
  yield { op: 'wait' };
  return result.n > 0 ? result : null;
}

/**
 * The shell running one benchmark command: fork, exec the binary (dynamic start-up
 * included), run `main`, exit; the shell waits for it.
 */
export function* command(
  ctx: LmbenchContext,
  name: string,
  main: () => Iterable<Operation>,
): Generator<Operation, void, undefined> {
  function* child(): Generator<Operation, void, undefined> {
    yield* execImage(ctx.root, lmbenchBinary(name));
    yield* main();
  }
  yield { op: 'fork', comm: name, program: child() };
  yield { op: 'wait' };
}

/** msleep 250 between sections of scripts/lmbench (a process that sleeps). */
export function* msleep(ctx: LmbenchContext, ms: number): Generator<Operation, void, undefined> {
  yield* command(ctx, 'msleep', function* () {
    yield { op: 'sleep', ns: ms * 1_000_000 };
  });
}

/** printf-style fixed decimals. */
export const fixed = (x: number, digits: number): string => x.toFixed(digits);

/** lmbench's bandwidth line: MB (10^6 bytes) and MB/s, six decimals below 1. */
export function bandwidthLine(bytes: number, ns: number): string {
  const mb = bytes / 1e6;
  const rate = mb / (ns / 1e9);
  return `${mb < 1 ? fixed(mb, 6) : fixed(mb, 2)} ${rate < 1 ? fixed(rate, 6) : fixed(rate, 2)}`;
}
