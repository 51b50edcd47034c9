/**
 * A kernel compile (reference §G): `make -jN` over a {@link SourceTree}. make keeps N jobs
 * running (wait(2) for any child, then the next); each job is Kbuild's `sh -c` command,
 * which runs gcc and then fixdep; gcc runs cc1 and then as (with -pipe they overlap; here
 * they run one after the other); after the last object, ld links vmlinux. Every program is
 * exec'd from its file — text shared through the page cache, data copied on write, an
 * anonymous heap built by zero-fill faults and freed at exit. cc1 reads the .c file and
 * every header it includes with read() through the page cache (headers shared by many units
 * are read again and again: promoted on the second read, §A1), and grows its GC heap while
 * it parses (in proportion to the input read) and while it compiles, each collection
 * reading the live heap. Objects and vmlinux are written through shared mappings.
 */
import { PAGE_SIZE } from '@cvhrc/hw';
import type { Kernel, Operation, Program } from '@cvhrc/mm';
import { ensureFile, execImage, rooted, setupSystem, SH, type BinarySpec } from '../system.js';
import type { SourceTree, Unit } from './tree.js';

const KIB = 1024;
const MS = 1_000_000;

/** CPU costs of the toolchain (assumptions for gcc 4.1 / binutils 2.16 at 1.86 GHz). */
export interface ToolCosts {
  /** cc1: preprocessing and parsing, ns per byte of input (source and headers). */
  readonly parseNsPerByte: number;
  /** cc1: optimisation and code generation, ns per byte of the .c file (-O2). */
  readonly compileNsPerByte: number;
  /** as: ns per byte of the .c file (the .s is a few times larger), plus a start cost. */
  readonly asNsPerByte: number;
  readonly asStartNs: number;
  /** The gcc driver, sh -c, fixdep and make's own work per job, ns. */
  readonly driverNs: number;
  readonly shellNs: number;
  readonly fixdepNs: number;
  readonly makePerJobNs: number;
  /** ld: ns per byte of objects linked. */
  readonly ldNsPerByte: number;
}

/**
 * Defaults (assumptions): cc1 lexes and parses ~8 MB/s of headers, compiles ~40 KB/s of
 * kernel C at -O2 on a 1.86 GHz Core 2; as handles the .s at a few MB/s.
 */
export const DEFAULT_TOOL_COSTS: ToolCosts = {
  parseNsPerByte: 120,
  compileNsPerByte: 25_000,
  asNsPerByte: 1_500,
  asStartNs: 2 * MS,
  driverNs: 1 * MS,
  shellNs: 0.5 * MS,
  fixdepNs: 1 * MS,
  makePerJobNs: 0.5 * MS,
  ldNsPerByte: 300,
};

/** Object size as a fraction of the source (assumption). */
const OBJECT_PER_SOURCE = 0.8;
/** Share of cc1's peak heap built while parsing (the rest while compiling). Assumption. */
const PARSE_HEAP_SHARE = 0.4;
/** Garbage collections (and compile slices) per file. Assumption. */
const COMPILE_STEPS = 8;

/** The binaries of the build (FC5 sizes; hot text: the part a run touches; assumptions). */
export const KBUILD_BINARIES = {
  make: { path: '/usr/bin/make', bytes: 160 * KIB, dataPages: 2, hotTextPages: 30 },
  gcc: { path: '/usr/bin/gcc', bytes: 220 * KIB, dataPages: 2, hotTextPages: 30 },
  cc1: {
    path: '/usr/libexec/gcc/i386-redhat-linux/4.1.0/cc1',
    bytes: 7 * 1024 * KIB,
    dataPages: 40,
    hotTextPages: 600,
  },
  as: { path: '/usr/bin/as', bytes: 900 * KIB, dataPages: 8, hotTextPages: 120 },
  ld: { path: '/usr/bin/ld', bytes: 800 * KIB, dataPages: 8, hotTextPages: 150 },
  fixdep: {
    path: '/usr/src/linux-2.6.17/scripts/basic/fixdep',
    bytes: 12 * KIB,
    dataPages: 1,
    hotTextPages: 3,
  },
} as const satisfies Record<string, BinarySpec>;

/** Where the tree lives under the root. */
export const TREE_DIR = '/usr/src/linux-2.6.17';

/** Makefiles make reads at start (Makefile, .config, the Kbuild rules). */
const MAKEFILES: readonly [string, number][] = [
  ['Makefile', 45 * KIB],
  ['.config', 30 * KIB],
  ['scripts/Makefile.build', 12 * KIB],
  ['scripts/Kbuild.include', 6 * KIB],
];

const pagesOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / PAGE_SIZE));

/** Options of a kernel build. */
export interface KernelBuildOptions {
  readonly tree: SourceTree;
  readonly jobs: number;
  readonly root?: string;
  readonly costs?: ToolCosts;
}

/** Paths of the tree's files. */
export const treePaths = {
  source: (u: number): string => `${TREE_DIR}/src/f${u}.c`,
  header: (h: number): string => `${TREE_DIR}/include/h${h}.h`,
  object: (u: number): string => `${TREE_DIR}/obj/f${u}.o`,
  vmlinux: `${TREE_DIR}/vmlinux`,
};

const objectBytes = (u: Unit): number =>
  Math.max(PAGE_SIZE, Math.round(u.sourceBytes * OBJECT_PER_SOURCE));

/** A kernel build: the tree's files at setup, then make's program. */
export class KernelBuild {
  readonly options: KernelBuildOptions;

  constructor(options: KernelBuildOptions) {
    if (!Number.isSafeInteger(options.jobs) || options.jobs < 1) {
      throw new RangeError(`kernel build: jobs must be a positive integer, got ${options.jobs}`);
    }
    this.options = options;
  }

  /** Creates the system, toolchain, tree, object and vmlinux files under the root. */
  setup(kernel: Kernel): void {
    const root = this.options.root ?? '';
    const { tree } = this.options;
    setupSystem(kernel, root);
    for (const b of Object.values(KBUILD_BINARIES)) ensureFile(kernel, root, b.path, b.bytes);
    for (const [name, bytes] of MAKEFILES) ensureFile(kernel, root, `${TREE_DIR}/${name}`, bytes);
    for (let h = 0; h < tree.headerBytes.length; h++) {
      ensureFile(kernel, root, treePaths.header(h), tree.headerBytes[h]!);
    }
    let objects = 0;
    for (const u of tree.units) {
      ensureFile(kernel, root, treePaths.source(u.index), u.sourceBytes);
      ensureFile(kernel, root, treePaths.object(u.index), objectBytes(u));
      objects += objectBytes(u);
    }
    ensureFile(kernel, root, treePaths.vmlinux, Math.max(PAGE_SIZE, Math.round(objects / 2)));
  }

  /** make's program; each iteration is a fresh build. */
  get program(): Program {
    return { [Symbol.iterator]: () => this.#make() };
  }

  *#make(): Generator<Operation, void, undefined> {
    const root = this.options.root ?? '';
    const { tree, jobs } = this.options;
    const c = this.options.costs ?? DEFAULT_TOOL_COSTS;
    yield* execImage(root, KBUILD_BINARIES.make, { heapPages: 2048 });
    for (const [name, bytes] of MAKEFILES) {
      yield { op: 'read', file: rooted(root, `${TREE_DIR}/${name}`), offset: 0, bytes };
    }
    let running = 0;
    for (const u of tree.units) {
      if (running === jobs) {
        yield { op: 'wait', any: true };
        running--;
      }
      yield { op: 'compute', ns: c.makePerJobNs };
      yield {
        op: 'touch',
        mapping: 'heap',
        offset: (u.index * 7) % 2048,
        pages: 1,
        write: true,
        words: 64,
      };
      yield { op: 'fork', comm: 'make', program: this.#job(u, root, c) };
      running++;
    }
    yield { op: 'wait' };
    yield { op: 'fork', comm: 'make', program: this.#link(root, c) };
    yield { op: 'wait' };
  }

  /** Kbuild's `sh -c 'set -e; gcc … -c -o f.o f.c; scripts/basic/fixdep …'`. */
  *#job(u: Unit, root: string, c: ToolCosts): Generator<Operation, void, undefined> {
    yield* execImage(root, SH);
    yield { op: 'compute', ns: c.shellNs };
    yield { op: 'fork', comm: 'sh', program: this.#gcc(u, root, c) };
    yield { op: 'wait' };
    yield {
      op: 'fork',
      comm: 'sh',
      program: (function* () {
        yield* execImage(root, KBUILD_BINARIES.fixdep, { heapPages: 4 });
        yield { op: 'compute', ns: c.fixdepNs };
      })(),
    };
    yield { op: 'wait' };
  }

  *#gcc(u: Unit, root: string, c: ToolCosts): Generator<Operation, void, undefined> {
    yield* execImage(root, KBUILD_BINARIES.gcc);
    yield { op: 'compute', ns: c.driverNs };
    yield { op: 'fork', comm: 'gcc', program: this.#cc1(u, root, c) };
    yield { op: 'wait' };
    yield { op: 'fork', comm: 'gcc', program: this.#as(u, root, c) };
    yield { op: 'wait' };
  }

  *#cc1(u: Unit, root: string, c: ToolCosts): Generator<Operation, void, undefined> {
    const { tree } = this.options;
    yield* execImage(root, KBUILD_BINARIES.cc1, { heapPages: 16 });
    const heapPages = pagesOf(u.heapBytes);
    yield { op: 'mmap', name: 'ggc', pages: heapPages };
    let input = u.sourceBytes;
    for (let i = 0; i < u.headers.length; i++) input += tree.headerBytes[u.headers[i]!]!;
    const parsePages = Math.floor(heapPages * PARSE_HEAP_SHARE);
    let grown = 0;
    let read = 0;
    const grow = function* (target: number): Generator<Operation, void, undefined> {
      if (target > grown) {
        yield {
          op: 'touch',
          mapping: 'ggc',
          offset: grown,
          pages: target - grown,
          write: true,
          words: 512,
        };
        grown = target;
      }
    };
    const readFile = function* (
      path: string,
      bytes: number,
    ): Generator<Operation, void, undefined> {
      yield { op: 'read', file: rooted(root, path), offset: 0, bytes };
      yield { op: 'compute', ns: bytes * c.parseNsPerByte };
      read += bytes;
      yield* grow(Math.floor((parsePages * read) / input));
    };
    // The preprocessor reads the .c file, then its headers as the #includes come.
    yield* readFile(treePaths.source(u.index), u.sourceBytes);
    for (let i = 0; i < u.headers.length; i++) {
      const h = u.headers[i]!;
      yield* readFile(treePaths.header(h), tree.headerBytes[h]!);
    }
    const compileNs = u.sourceBytes * c.compileNsPerByte;
    for (let s = 1; s <= COMPILE_STEPS; s++) {
      yield { op: 'compute', ns: compileNs / COMPILE_STEPS };
      yield* grow(parsePages + Math.floor(((heapPages - parsePages) * s) / COMPILE_STEPS));
      // ggc_collect: marking reads the live heap.
      yield { op: 'touch', mapping: 'ggc', pages: grown, write: false, words: 128 };
    }
  }

  *#as(u: Unit, root: string, c: ToolCosts): Generator<Operation, void, undefined> {
    const obj = objectBytes(u);
    yield* execImage(root, KBUILD_BINARIES.as, { heapPages: pagesOf(2 * obj) + 64 });
    yield { op: 'compute', ns: c.asStartNs + u.sourceBytes * c.asNsPerByte };
    yield { op: 'mmap', name: 'out', file: rooted(root, treePaths.object(u.index)), shared: true };
    yield { op: 'touch', mapping: 'out', pages: pagesOf(obj), write: true, words: 1024 };
    yield { op: 'munmap', name: 'out' };
  }

  /** ld -o vmlinux: reads every object, builds its tables, writes vmlinux. */
  *#link(root: string, c: ToolCosts): Generator<Operation, void, undefined> {
    const { tree } = this.options;
    let total = 0;
    for (const u of tree.units) total += objectBytes(u);
    const heapPages = pagesOf(1.5 * total);
    yield* execImage(root, KBUILD_BINARIES.ld, { heapPages: 64 });
    yield { op: 'mmap', name: 'tables', pages: heapPages };
    let done = 0;
    let grown = 0;
    for (const u of tree.units) {
      const obj = objectBytes(u);
      yield { op: 'read', file: rooted(root, treePaths.object(u.index)), offset: 0, bytes: obj };
      yield { op: 'compute', ns: obj * c.ldNsPerByte };
      done += obj;
      const target = Math.floor((heapPages * done) / total);
      if (target > grown) {
        yield {
          op: 'touch',
          mapping: 'tables',
          offset: grown,
          pages: target - grown,
          write: true,
          words: 512,
        };
        grown = target;
      }
    }
    yield { op: 'mmap', name: 'out', file: rooted(root, treePaths.vmlinux), shared: true };
    yield { op: 'touch', mapping: 'out', pages: pagesOf(total / 2), write: true, words: 1024 };
    yield { op: 'munmap', name: 'out' };
  }
}
