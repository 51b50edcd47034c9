/**
 * What every workload's processes share: the files of a small Fedora Core 5 system (the
 * shell, libc, the dynamic loader) under a root, and the page-level footprint of starting a
 * dynamically linked program (exec, ld.so mapping libc, the first touches of text, data and
 * stack). Sizes are assumptions stated here (FC5 i386 packages); only their order of
 * magnitude matters for page need.
 */
import { ELF_TEXT_START, STACK_TOP_PAGES, type Kernel, type Operation } from '@cvhrc/mm';

const KIB = 1024;
const MIB = 1024 * 1024;

/** A binary: its file, and how much of it a run touches. */
export interface BinarySpec {
  /** Path under the workload's root. */
  readonly path: string;
  /** File size, bytes (text + initialised data). */
  readonly bytes: number;
  /** Pages of initialised data at the end of the file (mapped private, writable). */
  readonly dataPages: number;
  /** Text pages a run touches (from the start of the text). */
  readonly hotTextPages: number;
}

/**
 * libc-2.4.so of FC5 (~1.6 MB) and the part of it a typical program touches (~60 pages of
 * text: stdio, malloc, string functions, startup). Assumption.
 */
export const LIBC: BinarySpec = {
  path: '/lib/libc-2.4.so',
  bytes: 1_600 * KIB,
  dataPages: 3,
  hotTextPages: 60,
};
/** ld-2.4.so (~120 KB), touched almost whole at every start. Assumption. */
export const LD_SO: BinarySpec = {
  path: '/lib/ld-2.4.so',
  bytes: 120 * KIB,
  dataPages: 1,
  hotTextPages: 20,
};
/** /bin/sh (bash 3.1, ~700 KB). Assumption. */
export const SH: BinarySpec = { path: '/bin/sh', bytes: 700 * KIB, dataPages: 6, hotTextPages: 60 };

/** Joins the workload's root and a path. */
export function rooted(root: string, path: string): string {
  return root + path;
}

/** Creates `spec`'s file under `root` unless it exists (copies share one file). */
export function ensureFile(kernel: Kernel, root: string, path: string, bytes: number): void {
  const p = rooted(root, path);
  if (kernel.file(p) === undefined) kernel.createFile(p, bytes);
}

/** Creates the base system's files (sh, libc, ld.so) under `root`. */
export function setupSystem(kernel: Kernel, root: string): void {
  for (const b of [LIBC, LD_SO, SH]) ensureFile(kernel, root, b.path, b.bytes);
}

const pagesOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / 4096));

/** Options of {@link execImage}. */
export interface ExecImageOptions {
  /** Anonymous heap a program mallocs at start (libc's arena), pages; default 8. */
  readonly heapPages?: number;
  /** Stack pages touched; default 4. */
  readonly stackPages?: number;
}

/**
 * The operations of execve(binary) and the dynamic start-up that follows: exec maps the
 * binary's text (private, shared through the page cache with every other run of it) and
 * data; ld.so and libc are mapped as named mappings `ld.so`/`libc`; the start-up touches the
 * hot text of each, writes the data pages (COW), the top of the stack and a small heap
 * (`heap`, for the program's own touches). File pages fault lazily (§G of the reference).
 */
export function* execImage(
  root: string,
  binary: BinarySpec,
  options: ExecImageOptions = {},
): Generator<Operation, void, undefined> {
  const size = pagesOf(binary.bytes);
  const dataPages = Math.min(binary.dataPages, size - 1);
  const textPages = size - dataPages;
  const stackPages = options.stackPages ?? 4;
  const heapPages = options.heapPages ?? 8;
  yield {
    op: 'exec',
    binary: rooted(root, binary.path),
    textPages,
    dataPages,
    stackPages: Math.max(32, stackPages),
  };
  yield {
    op: 'touch',
    vpn: ELF_TEXT_START,
    pages: Math.min(textPages, binary.hotTextPages),
    write: false,
    words: 64,
  };
  if (dataPages > 0) {
    yield {
      op: 'touch',
      vpn: ELF_TEXT_START + textPages,
      pages: dataPages,
      write: true,
      words: 64,
    };
  }
  yield {
    op: 'touch',
    vpn: STACK_TOP_PAGES - stackPages,
    pages: stackPages,
    write: true,
    words: 256,
  };
  for (const [name, lib] of [
    ['ld.so', LD_SO],
    ['libc', LIBC],
  ] as const) {
    const pages = pagesOf(lib.bytes);
    yield { op: 'mmap', name, file: rooted(root, lib.path), pages, writable: false };
    yield {
      op: 'touch',
      mapping: name,
      pages: Math.min(pages, lib.hotTextPages),
      write: false,
      words: 64,
    };
  }
  yield { op: 'mmap', name: 'heap', pages: heapPages };
  yield { op: 'touch', mapping: 'heap', pages: heapPages, write: true, words: 256 };
}

/** Bytes in a mebibyte and a kibibyte, for sizes in this package. */
export const SIZES = { KIB, MIB } as const;

/**
 * The simulated clock as a program sees it: the one clock plus the time already charged in
 * the running CPU burst (the scheduler runs a generator program inside its task's burst, so
 * reading this between two operations gives the time the previous one ended).
 */
export class ProgramClock {
  #kernel: Kernel | null = null;

  /** Binds the clock to a kernel (WorkloadInstance.setup). */
  bind(kernel: Kernel): void {
    this.#kernel = kernel;
  }

  /** The bound kernel; throws when setup(kernel) was not called. */
  get kernel(): Kernel {
    if (this.#kernel === null)
      throw new Error('workload: call setup(kernel) before running its program');
    return this.#kernel;
  }

  /** Simulated time now, ns, on the CPU running the caller. */
  now(): number {
    const k = this.kernel;
    return k.clock.now + k.burstNs;
  }
}
