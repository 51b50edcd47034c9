/**
 * The workloads by name, with their parameters and defaults: what the experiments runner
 * (`@cvhrc/benches`) and `cvhrc workloads` use.
 */
import type { Kernel, Operation, Program } from '@cvhrc/mm';
import { KernelBuild, DEFAULT_TOOL_COSTS } from './kbuild/make.js';
import { DEFAULT_TREE, makeSourceTree } from './kbuild/tree.js';
import { DEFAULT_ENOUGH_US, LmbenchRun } from './lmbench/suite.js';
import { denseTrace, replayTrace } from './replay.js';
import {
  loopPattern,
  phasesPattern,
  seqScan,
  uniformPattern,
  zipfPattern,
  type SyntheticBase,
} from './synthetic.js';
import {
  checkOptions,
  resolveParams,
  WorkloadParamError,
  type ResolvedParams,
  type WorkloadDefinition,
  type WorkloadInstance,
  type WorkloadOptions,
  type WorkloadParamSpec,
} from './workload.js';

type Specs = Readonly<Record<string, WorkloadParamSpec>>;

const int = (d: number, description: string, unit?: string, min = 0): WorkloadParamSpec => ({
  default: d,
  description,
  integer: true,
  min,
  ...(unit === undefined ? {} : { unit }),
});
const num = (
  d: number,
  description: string,
  min: number,
  max?: number,
  unit?: string,
): WorkloadParamSpec => ({
  default: d,
  description,
  min,
  ...(max === undefined ? {} : { max }),
  ...(unit === undefined ? {} : { unit }),
});

/** A definition from its specs and a maker of instances from resolved params. */
function define(
  name: string,
  description: string,
  params: Specs,
  make: (p: ResolvedParams, options: WorkloadOptions) => WorkloadInstance,
): WorkloadDefinition {
  return {
    name,
    description,
    params,
    instantiate(given, options) {
      checkOptions(name, options);
      return make(resolveParams(name, params, given), options);
    },
  };
}

/** An instance whose program is a fresh generator per iteration and which has no results. */
function plainInstance(
  comm: string,
  program: () => Iterator<Operation>,
  setup: (k: Kernel) => void = () => undefined,
): WorkloadInstance {
  return {
    comm,
    setup,
    program: { [Symbol.iterator]: program } satisfies Program,
    results: () => [],
  };
}

function lmbenchInstance(run: LmbenchRun): WorkloadInstance {
  return {
    comm: 'lmbench',
    setup: (k) => {
      run.setup(k);
    },
    get program() {
      return run.program;
    },
    results: () => run.results(),
  };
}

function parseStrides(workload: string, text: string): number[] | undefined {
  if (text.trim() === '') return undefined;
  const out = text
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  for (const s of out) {
    if (!Number.isSafeInteger(s) || s < 4 || s > 4096) {
      throw new WorkloadParamError(
        workload,
        'strides',
        `expected strides in bytes (4 … 4096) separated by spaces, got ${JSON.stringify(text)}`,
      );
    }
  }
  return out;
}

const LMBENCH_COMMON: Specs = {
  mb: int(
    0,
    "config-run's MB answer (memory range of the memory benchmarks); 0: its default, 70 % of MemTotal",
    'MiB',
  ),
  enoughUs: int(
    DEFAULT_ENOUGH_US,
    'ENOUGH: timing interval of each measurement (config-run measures it)',
    'µs',
    1,
  ),
  fastmem: { default: false, description: 'FASTMEM: lat_mem_rd with the 128-byte stride only' },
  strides: {
    default: '',
    description:
      "lat_mem_rd strides, bytes, space-separated; '': the script's 16 32 64 128 256 512 1024",
  },
};

/** The options both lmbench workloads take from {@link LMBENCH_COMMON} and the run. */
function lmbenchCommon(workload: string, p: ResolvedParams, o: WorkloadOptions) {
  return {
    seed: o.seed,
    ...(o.root === undefined ? {} : { root: o.root }),
    mb: p.mb as number,
    enoughUs: p.enoughUs as number,
    fastmem: p.fastmem as boolean,
    ...optionalStrides(workload, p),
  };
}

const SYNTHETIC_COMMON = (pages: number, words: number): Specs => ({
  pages: int(pages, 'pages of the region', 'pages', 1),
  words: int(words, 'word accesses each page reference stands for', 'words', 1),
  writeRatio: num(0, 'share of references that are stores', 0, 1),
  computeNs: int(0, 'CPU time between references (think time)', 'ns'),
});

const base = (p: ResolvedParams, options: WorkloadOptions): SyntheticBase => ({
  pages: p.pages as number,
  words: Math.min(1024, p.words as number),
  writeRatio: p.writeRatio as number,
  computeNs: p.computeNs as number,
  seed: options.seed,
});

/** Every workload, by name. */
export const WORKLOADS: readonly WorkloadDefinition[] = [
  define(
    'lmbench-mem',
    'lmbench 3 with only the memory-related questions answered yes (PAGEFAULT, MMAP, BCOPY, MEMORY HIERARCHY): lat_pagefault, lat_mmap, bw_mmap_rd, bw_mem, tlb, par_mem, STREAM, lat_mem_rd',
    {
      ...LMBENCH_COMMON,
      createFile: {
        default: true,
        description:
          'write $FILE with lmdd first (the script writes it only when FILE is yes; without it the file benchmarks exit at once)',
      },
    },
    (p, o) =>
      lmbenchInstance(
        new LmbenchRun({
          subset: 'mem',
          ...lmbenchCommon('lmbench-mem', p, o),
          createFile: p.createFile as boolean,
        }),
      ),
  ),
  define(
    'lmbench-all',
    'lmbench 3 with every question answered yes: system calls, signals, pipes, process creation, file and VM latencies, networking, bandwidths, context switches and the memory hierarchy',
    {
      ...LMBENCH_COMMON,
      slowfs: { default: false, description: 'SLOWFS: skip the file-system latency test' },
    },
    (p, o) =>
      lmbenchInstance(
        new LmbenchRun({
          subset: 'all',
          ...lmbenchCommon('lmbench-all', p, o),
          slowfs: p.slowfs as boolean,
        }),
      ),
  ),
  define(
    'kernel-compile',
    'make -jN of a Linux 2.6.17 source-tree model: make → sh → gcc → cc1 (growing GC heap, sources and shared headers read through the page cache) → as, fixdep; ld at the end',
    {
      jobs: int(2, 'make -j: jobs run at once', 'jobs', 1),
      units: int(DEFAULT_TREE.units, 'C files compiled', 'files', 1),
      headers: int(DEFAULT_TREE.headers, 'header files in the tree', 'files', 1),
      coreHeaders: int(DEFAULT_TREE.coreHeaders, 'headers every unit includes', 'files'),
      extraHeaders: int(
        DEFAULT_TREE.extraHeaders,
        'further headers per unit, by Zipf(1) popularity',
        'files',
      ),
      sourceMedianKb: num(
        DEFAULT_TREE.sourceMedianBytes / 1024,
        'median .c size (log-normal)',
        0.25,
        undefined,
        'KiB',
      ),
      cc1HeapMedianMb: num(
        DEFAULT_TREE.cc1HeapMedianBytes / 1048576,
        "median peak of cc1's heap per file (log-normal)",
        1,
        160,
        'MiB',
      ),
      compileNsPerByte: num(
        DEFAULT_TOOL_COSTS.compileNsPerByte,
        'cc1 compile time per byte of the .c file',
        0,
        undefined,
        'ns',
      ),
      parseNsPerByte: num(
        DEFAULT_TOOL_COSTS.parseNsPerByte,
        'cc1 parse time per byte of source and headers',
        0,
        undefined,
        'ns',
      ),
    },
    (p, o) => {
      const tree = makeSourceTree(
        {
          ...DEFAULT_TREE,
          units: p.units as number,
          headers: p.headers as number,
          coreHeaders: p.coreHeaders as number,
          extraHeaders: p.extraHeaders as number,
          sourceMedianBytes: Math.round((p.sourceMedianKb as number) * 1024),
          cc1HeapMedianBytes: Math.round((p.cc1HeapMedianMb as number) * 1048576),
        },
        o.seed,
      );
      const build = new KernelBuild({
        tree,
        jobs: p.jobs as number,
        ...(o.root === undefined ? {} : { root: o.root }),
        costs: {
          ...DEFAULT_TOOL_COSTS,
          compileNsPerByte: p.compileNsPerByte as number,
          parseNsPerByte: p.parseNsPerByte as number,
        },
      });
      return plainInstance(
        'make',
        () => build.program[Symbol.iterator](),
        (k) => {
          build.setup(k);
        },
      );
    },
  ),
  define(
    'seq-scan',
    'sequential scan of a region, pass after pass',
    { ...SYNTHETIC_COMMON(65536, 1024), passes: int(4, 'passes over the region', 'passes', 1) },
    (p, o) =>
      plainInstance('seq-scan', () => seqScan({ ...base(p, o), passes: p.passes as number })),
  ),
  define(
    'loop',
    'a loop over n pages, repeated',
    {
      ...SYNTHETIC_COMMON(16384, 1024),
      loopPages: int(16384, 'pages in the loop (at most the region)', 'pages', 1),
      iterations: int(32, 'times round the loop', 'iterations', 1),
    },
    (p, o) =>
      plainInstance('loop', () =>
        loopPattern({
          ...base(p, o),
          loopPages: p.loopPages as number,
          iterations: p.iterations as number,
        }),
      ),
  ),
  define(
    'uniform',
    'uniform random page references',
    {
      ...SYNTHETIC_COMMON(32768, 16),
      references: int(1_000_000, 'page references', 'references', 1),
    },
    (p, o) =>
      plainInstance('uniform', () =>
        uniformPattern({ ...base(p, o), references: p.references as number }),
      ),
  ),
  define(
    'zipf',
    'Zipf(α) page references: popularity 1/k^α over a seeded placement of pages',
    {
      ...SYNTHETIC_COMMON(32768, 16),
      references: int(1_000_000, 'page references', 'references', 1),
      alpha: num(1, 'Zipf exponent α', 0, 10),
    },
    (p, o) =>
      plainInstance('zipf', () =>
        zipfPattern({
          ...base(p, o),
          references: p.references as number,
          alpha: p.alpha as number,
        }),
      ),
  ),
  define(
    'phases',
    'working-set phases: uniform references in a window that moves every phase',
    {
      ...SYNTHETIC_COMMON(65536, 16),
      phases: int(4, 'phases', 'phases', 1),
      phasePages: int(16384, 'working set of one phase', 'pages', 1),
      overlap: num(0.25, 'share of a phase window kept by the next', 0, 1),
      referencesPerPhase: int(500_000, 'references in each phase', 'references', 1),
    },
    (p, o) =>
      plainInstance('phases', () =>
        phasesPattern({
          ...base(p, o),
          phases: p.phases as number,
          phasePages: p.phasePages as number,
          overlap: p.overlap as number,
          referencesPerPhase: p.referencesPerPhase as number,
        }),
      ),
  ),
  define(
    'trace-replay',
    'replays a page-reference trace (options.trace: pages from the trace readers) as touches',
    {
      words: int(16, 'word accesses each reference stands for', 'words', 1),
      write: { default: false, description: 'references are stores' },
      populate: { default: true, description: 'write every page of the region first' },
      passes: int(1, 'times the trace is replayed', 'passes', 1),
    },
    (p, o) => {
      if (o.trace === undefined) {
        throw new WorkloadParamError(
          'trace-replay',
          null,
          'needs options.trace: the page numbers of a trace (e.g. await readTraceFile(path).collect())',
        );
      }
      const trace = denseTrace(o.trace);
      const options = {
        words: Math.min(1024, p.words as number),
        write: p.write as boolean,
        populate: p.populate as boolean,
        passes: p.passes as number,
      };
      return plainInstance('replay', () => replayTrace(trace, options));
    },
  ),
];

function optionalStrides(workload: string, p: ResolvedParams): { strides?: readonly number[] } {
  const s = parseStrides(workload, p.strides as string);
  return s === undefined ? {} : { strides: s };
}

/** The workload named `name`; throws WorkloadParamError listing the names otherwise. */
export function getWorkload(name: string): WorkloadDefinition {
  const w = WORKLOADS.find((d) => d.name === name);
  if (w === undefined) {
    throw new WorkloadParamError(
      name,
      null,
      `no such workload (known: ${WORKLOADS.map((d) => d.name).join(', ')})`,
    );
  }
  return w;
}
