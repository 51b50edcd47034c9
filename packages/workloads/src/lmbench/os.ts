/**
 * The rest of lmbench for Lmbench-All (reference §F): process creation and context switches
 * with real forks, execs and per-process buffers; file reads through the page cache; the
 * file writer lmdd; and the system-call, signal, pipe, socket and CPU-operation latencies,
 * which touch little memory, as user/system compute with a small buffer. Their per-operation
 * costs are assumptions for a 1.86 GHz Core 2 running 2.6.17 (typical lmbench 3 figures of
 * that era; reference §H where it has one), listed in {@link OS_COSTS_NS}.
 */
import { PAGE_SIZE } from '@cvhrc/hw';
import type { Operation } from '@cvhrc/mm';
import { execImage, SH } from '../system.js';
import {
  bandwidthLine,
  benchmp,
  command,
  fixed,
  lmbenchBinary,
  type BenchmpSpec,
  type LmbenchContext,
} from './benchmp.js';
import { parseSize } from './config.js';

const KIB = 1024;
const US = 1000;

/**
 * Per-operation costs, ns (assumptions, see the module comment). Protection faults and
 * context switches come from the machine's cost model instead.
 */
export const OS_COSTS_NS = {
  'syscall null': 0.25 * US,
  'syscall read': 0.4 * US,
  'syscall write': 0.35 * US,
  'syscall stat': 1.8 * US,
  'syscall fstat': 0.45 * US,
  'syscall open': 2.8 * US,
  'select per fd': 0.04 * US,
  'select per tcp fd': 0.055 * US,
  'select base': 0.5 * US,
  'sig install': 0.5 * US,
  'sig catch': 1.6 * US,
  'pipe one way': 3 * US,
  'unix one way': 5 * US,
  'udp round trip': 20 * US,
  'tcp round trip': 25 * US,
  'rpc/udp round trip': 35 * US,
  'rpc/tcp round trip': 45 * US,
  'tcp connect': 45 * US,
  'http request': 120 * US,
  'pipe per KB': 0.9 * US,
  'unix per KB': 0.7 * US,
  'tcp per KB': 1.3 * US,
  'fs create': 15 * US,
  'fs delete': 8 * US,
  'fs per KB': 1.5 * US,
  'open/close': 3 * US,
} as const;

/** CPU cycles of lat_ops' operations (Core 2; assumption). */
const LAT_OPS_CYCLES: readonly [string, number][] = [
  ['integer bit', 1],
  ['integer add', 1],
  ['integer mul', 3],
  ['integer div', 22],
  ['integer mod', 24],
  ['int64 bit', 1],
  ['int64 add', 1],
  ['int64 mul', 5],
  ['int64 div', 40],
  ['int64 mod', 42],
  ['float add', 3],
  ['float mul', 5],
  ['float div', 18],
  ['double add', 3],
  ['double mul', 5],
  ['double div', 32],
];

/** A buffer of `pages` the worker touches per iteration (stack, small heap: "small memory"). */
function* smallBuffer(pages: number): Generator<Operation, void, undefined> {
  yield { op: 'mmap', name: 'small', pages };
  yield { op: 'touch', mapping: 'small', pages, write: true, words: 1024 };
}

/**
 * A benchmark that is compute plus small memory: each iteration costs `perOpNs` of CPU and
 * reads its small buffer; `line` formats the median time of one operation.
 */
function* computeBench(
  ctx: LmbenchContext,
  binary: string,
  perOpNs: number,
  line: (ns: number) => string,
  options: { server?: boolean } = {},
): Generator<Operation, void, undefined> {
  yield* command(ctx, binary, function* () {
    const spec: BenchmpSpec = {
      init: () => smallBuffer(2),
      *body(n) {
        yield { op: 'compute', ns: n * perOpNs };
        yield { op: 'touch', mapping: 'small', pages: 2, write: false, words: 64 };
      },
    };
    if (options.server === true) {
      // The server (`binary -s`, started by the script): a process with its own small buffer.
      const server: Operation = {
        op: 'fork',
        comm: binary,
        program: (function* () {
          yield* smallBuffer(2);
          yield { op: 'sleep', ns: 1 };
        })(),
      };
      yield server;
    }
    const r = yield* benchmp(ctx, binary, spec);
    if (r !== null) ctx.out.push(line(r.medianNs / r.n));
  });
}

const micro = (label: string) => (ns: number) => `${label}: ${fixed(ns / US, 4)} microseconds`;

/** lat_syscall null/read/write/stat/fstat/open. */
export function* latSyscall(ctx: LmbenchContext): Generator<Operation, void, undefined> {
  const which: [keyof typeof OS_COSTS_NS, string][] = [
    ['syscall null', 'Simple syscall'],
    ['syscall read', 'Simple read'],
    ['syscall write', 'Simple write'],
    ['syscall stat', 'Simple stat'],
    ['syscall fstat', 'Simple fstat'],
    ['syscall open', 'Simple open/close'],
  ];
  for (const [cost, label] of which)
    yield* computeBench(ctx, 'lat_syscall', OS_COSTS_NS[cost], micro(label));
}

/** lat_select -n 10/100/250/500 on files, then on TCP sockets. */
export function* latSelect(ctx: LmbenchContext): Generator<Operation, void, undefined> {
  for (const kind of ['file', 'tcp'] as const) {
    for (const n of [10, 100, 250, 500]) {
      const per = kind === 'file' ? OS_COSTS_NS['select per fd'] : OS_COSTS_NS['select per tcp fd'];
      const label = kind === 'file' ? `Select on ${n} fd's` : `Select on ${n} tcp fd's`;
      yield* computeBench(ctx, 'lat_select', OS_COSTS_NS['select base'] + n * per, micro(label));
    }
  }
}

/** lat_sig install / catch / prot (a protection fault at the machine's cost). */
export function* latSig(ctx: LmbenchContext): Generator<Operation, void, undefined> {
  yield* computeBench(
    ctx,
    'lat_sig',
    OS_COSTS_NS['sig install'],
    micro('Signal handler installation'),
  );
  yield* computeBench(ctx, 'lat_sig', OS_COSTS_NS['sig catch'], micro('Signal handler overhead'));
  const prot = ctx.clock.kernel.costs.protectionFaultNs + OS_COSTS_NS['sig catch'];
  yield* computeBench(ctx, 'lat_sig', prot, micro('Protection fault'));
}

/** lat_pipe and lat_unix: a round trip is two one-way messages and two context switches. */
export function* latIpc(
  ctx: LmbenchContext,
  kind: 'pipe' | 'unix',
): Generator<Operation, void, undefined> {
  const cs = ctx.clock.kernel.costs.contextSwitchNs;
  const oneWay = kind === 'pipe' ? OS_COSTS_NS['pipe one way'] : OS_COSTS_NS['unix one way'];
  const label = kind === 'pipe' ? 'Pipe latency' : 'AF_UNIX sock stream latency';
  yield* computeBench(
    ctx,
    kind === 'pipe' ? 'lat_pipe' : 'lat_unix',
    2 * (oneWay + cs),
    micro(label),
    {
      server: true,
    },
  );
}

/**
 * lat_proc fork | exec | shell with real processes: each iteration forks a child that exits
 * (fork), execs /tmp/hello (exec), or execs /bin/sh which forks and execs hello (shell);
 * the benchmp child waits for it.
 */
export function* latProc(
  ctx: LmbenchContext,
  mode: 'fork' | 'exec' | 'shell',
): Generator<Operation, void, undefined> {
  const hello = {
    ...lmbenchBinary('hello'),
    path: '/tmp/hello',
    bytes: 8 * KIB,
    dataPages: 1,
    hotTextPages: 2,
  };
  const child = (): Iterable<Operation> => {
    if (mode === 'fork') return [{ op: 'exit' }];
    if (mode === 'exec') return execImage(ctx.root, hello, { heapPages: 1 });
    return (function* () {
      yield* execImage(ctx.root, SH);
      yield {
        op: 'fork',
        comm: 'sh',
        program: execImage(ctx.root, hello, { heapPages: 1 }),
      };
      yield { op: 'wait' };
    })();
  };
  const label =
    mode === 'fork'
      ? 'Process fork+exit'
      : mode === 'exec'
        ? 'Process fork+execve'
        : 'Process fork+/bin/sh -c';
  yield* command(ctx, 'lat_proc', function* () {
    const r = yield* benchmp(ctx, 'lat_proc', {
      *body(n) {
        for (let i = 0; i < n; i++) {
          yield { op: 'fork', comm: 'lat_proc', program: child() };
          yield { op: 'wait' };
        }
      },
    });
    if (r !== null) ctx.out.push(micro(label)(r.medianNs / r.n));
  });
}

/** lat_ops and par_ops: CPU operation latencies (par_ops: the same with independent streams). */
export function* latOps(
  ctx: LmbenchContext,
  parallel: boolean,
): Generator<Operation, void, undefined> {
  const cycleNs = ctx.clock.kernel.costs.cyclesToNs(1);
  yield* command(ctx, parallel ? 'par_ops' : 'lat_ops', function* () {
    for (const [name, cycles] of LAT_OPS_CYCLES) {
      const per = cycles * cycleNs;
      const r = yield* benchmp(ctx, parallel ? 'par_ops' : 'lat_ops', {
        *body(n) {
          yield { op: 'compute', ns: n * 100 * per };
        },
      });
      if (r === null) continue;
      const ns = r.medianNs / r.n / 100;
      ctx.out.push(
        parallel ? `${name} parallelism: ${fixed(1, 2)}` : `${name}: ${fixed(ns, 2)} nanoseconds`,
      );
    }
  });
}

/**
 * lmdd of=$FILE move=MB fsync=1: the file is written whole and synced. Page-level through a
 * shared writable mapping: each page is dirtied in order (write() of whole pages would not
 * read the old blocks first; through the mapping they are read — a simplification), then
 * msync(MS_SYNC) writes them back.
 */
export function* lmdd(
  ctx: LmbenchContext,
  fileBytes: number,
): Generator<Operation, void, undefined> {
  yield* command(ctx, 'lmdd', function* () {
    const pages = Math.ceil(fileBytes / PAGE_SIZE);
    const t0 = ctx.clock.now();
    yield { op: 'mmap', name: 'out', file: ctx.file, pages, shared: true };
    yield { op: 'touch', mapping: 'out', pages, write: true, words: 1024 };
    yield { op: 'msync', name: 'out' };
    yield { op: 'munmap', name: 'out' };
    const s = (ctx.clock.now() - t0) / 1e9;
    ctx.out.push(`File ${ctx.file} write bandwidth: ${fixed(fileBytes / 1024 / s, 0)} KB/sec`);
  });
}

/**
 * lat_fs $FSDIR: creates and deletes files of 0, 1, 4 and 10 KB (1000 of each); file-system
 * metadata work as compute. Prints `size\tcount\tcreates/s\tdeletes/s`.
 */
export function* latFs(ctx: LmbenchContext): Generator<Operation, void, undefined> {
  yield* command(ctx, 'lat_fs', function* () {
    yield* smallBuffer(4);
    for (const kb of [0, 1, 4, 10]) {
      const count = 1000;
      const t0 = ctx.clock.now();
      yield {
        op: 'compute',
        ns: count * (OS_COSTS_NS['fs create'] + kb * OS_COSTS_NS['fs per KB']),
      };
      yield { op: 'touch', mapping: 'small', pages: 4, write: true, words: 256 };
      const t1 = ctx.clock.now();
      yield { op: 'compute', ns: count * OS_COSTS_NS['fs delete'] };
      const t2 = ctx.clock.now();
      ctx.out.push(
        `${kb}k\t${count}\t${fixed(count / ((t1 - t0) / 1e9), 0)}\t${fixed(count / ((t2 - t1) / 1e9), 0)}`,
      );
    }
  });
}

/** Local networking: lat_udp, lat_tcp, lat_rpc udp/tcp, lat_connect, bw_tcp, lat_http. */
export function* networking(ctx: LmbenchContext): Generator<Operation, void, undefined> {
  const lat = (bin: string, cost: keyof typeof OS_COSTS_NS, label: string) =>
    computeBench(ctx, bin, OS_COSTS_NS[cost], micro(label), { server: true });
  yield* lat('lat_udp', 'udp round trip', 'UDP latency using localhost');
  yield* lat('lat_tcp', 'tcp round trip', 'TCP latency using localhost');
  yield* lat('lat_rpc', 'rpc/udp round trip', 'RPC/udp latency using localhost');
  yield* lat('lat_rpc', 'rpc/tcp round trip', 'RPC/tcp latency using localhost');
  yield* lat('lat_connect', 'tcp connect', 'TCP/IP connection cost to localhost');
  ctx.out.push('', 'Socket bandwidth using localhost');
  for (const m of [1, 64, 128, 256, 512, 1024, 1437, 10 * 1024 * 1024]) {
    const per = OS_COSTS_NS['tcp round trip'] / 2 + (m / KIB) * OS_COSTS_NS['tcp per KB'];
    yield* computeBench(ctx, 'bw_tcp', per, (ns) => `${bandwidthLine(m, ns)} MB/sec`, {
      server: true,
    });
  }
  ctx.out.push('');
  yield* computeBench(
    ctx,
    'lat_http',
    OS_COSTS_NS['http request'],
    (ns) => `lat_http: ${fixed(ns / US, 2)} microseconds`,
    {
      server: true,
    },
  );
}

/** bw_unix and bw_pipe: 64 KB transfers between two processes, each with its buffer. */
export function* bwIpc(
  ctx: LmbenchContext,
  kind: 'pipe' | 'unix',
): Generator<Operation, void, undefined> {
  const bin = kind === 'pipe' ? 'bw_pipe' : 'bw_unix';
  const chunk = 64 * KIB;
  const perKb = kind === 'pipe' ? OS_COSTS_NS['pipe per KB'] : OS_COSTS_NS['unix per KB'];
  yield* command(ctx, bin, function* () {
    const r = yield* benchmp(ctx, bin, {
      *init() {
        yield { op: 'mmap', name: 'buf', pages: chunk / PAGE_SIZE };
        yield { op: 'touch', mapping: 'buf', pages: chunk / PAGE_SIZE, write: true, words: 1024 };
      },
      *body(n) {
        yield { op: 'compute', ns: n * 64 * perKb };
        yield {
          op: 'touch',
          mapping: 'buf',
          pages: chunk / PAGE_SIZE,
          write: true,
          words: 1024,
          repeat: n,
        };
      },
    });
    const label = kind === 'pipe' ? 'Pipe bandwidth' : 'AF_UNIX sock stream bandwidth';
    if (r !== null)
      ctx.out.push(`${label}: ${fixed(chunk / 1e6 / (r.medianNs / r.n / 1e9), 2)} MB/sec`);
  });
}

/**
 * `bw_file_rd size io_only|open2close FILE`: each iteration read()s the first `size` bytes
 * through the page cache in 64 KB chunks into one buffer and sums it (open2close also opens
 * and closes the file each time).
 */
export function* bwFileRd(
  ctx: LmbenchContext,
  sizeText: string,
  mode: 'io_only' | 'open2close',
  fileBytes: number,
): Generator<Operation, void, undefined> {
  const size = parseSize(sizeText);
  const chunk = 64 * KIB;
  yield* command(ctx, 'bw_file_rd', function* () {
    if (size > fileBytes) return;
    const bufPages = Math.ceil(Math.min(size, chunk) / PAGE_SIZE);
    const r = yield* benchmp(ctx, 'bw_file_rd', {
      *init() {
        yield { op: 'mmap', name: 'buf', pages: bufPages };
      },
      *body(n) {
        for (let i = 0; i < n; i++) {
          if (mode === 'open2close') yield { op: 'compute', ns: OS_COSTS_NS['open/close'] };
          for (let off = 0; off < size; off += chunk) {
            const bytes = Math.min(chunk, size - off);
            yield { op: 'read', file: ctx.file, offset: off, bytes };
            yield {
              op: 'touch',
              mapping: 'buf',
              pages: Math.ceil(bytes / PAGE_SIZE),
              write: true,
              words: 1024,
            };
          }
        }
      },
    });
    if (r !== null) ctx.out.push(bandwidthLine(size, r.medianNs / r.n));
  });
}

/**
 * `lat_ctx -s size N…`: for each N, N processes in a ring, each with its own `size` KB
 * array that it sums when it holds the token, then passes the token (a pipe write and a
 * context switch). Page-level: each member touches its array and yields the CPU, for as
 * many rounds as fill the timing interval. Prints `"size=…k ovr=…` and `N µs` lines.
 */
export function* latCtx(
  ctx: LmbenchContext,
  sizeKb: number,
  ns: readonly number[],
): Generator<Operation, void, undefined> {
  yield* command(ctx, 'lat_ctx', function* () {
    const k = ctx.clock.kernel;
    const pages = Math.max(1, Math.ceil((sizeKb * KIB) / PAGE_SIZE));
    const sumNs = sizeKb === 0 ? 0 : k.costs.memoryAccessNs((sizeKb * KIB) / 4, sizeKb * KIB);
    ctx.out.push(`"size=${sizeKb}k ovr=${fixed(sumNs / US, 2)}`);
    for (const n of ns) {
      const perPass = k.costs.contextSwitchNs + OS_COSTS_NS['pipe one way'] + sumNs;
      const rounds = Math.max(1, Math.ceil(((ctx.config.enoughUs * US) / (n * perPass)) * 12));
      const t0 = ctx.clock.now();
      function* member(): Generator<Operation, void, undefined> {
        if (sizeKb > 0) {
          yield { op: 'mmap', name: 'data', pages };
          yield { op: 'touch', mapping: 'data', pages, write: true, words: 1024 };
        }
        for (let r = 0; r < rounds; r++) {
          if (sizeKb > 0) {
            yield {
              op: 'touch',
              mapping: 'data',
              pages,
              write: false,
              words: Math.min(1024, (sizeKb * KIB) / 4 / pages),
            };
          }
          yield { op: 'compute', ns: OS_COSTS_NS['pipe one way'] };
          yield { op: 'sleep', ns: 1 };
        }
      }
      for (let i = 0; i < n; i++) yield { op: 'fork', comm: 'lat_ctx', program: member() };
      yield { op: 'wait' };
      const per = (ctx.clock.now() - t0) / (rounds * n) - sumNs;
      ctx.out.push(`${n} ${fixed(per / US, 2)}`);
    }
    ctx.out.push('');
  });
}
