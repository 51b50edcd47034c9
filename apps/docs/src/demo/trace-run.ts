/**
 * The light engine of the demo: each container is a synthetic page-reference stream fed to
 * a CvHRC tracker on core's trace host and, beside it, to the exact LRU engine.
 */
import {
  ExactLru,
  TraceHost,
  ZipfSampler,
  createRng,
  meanAbsoluteError,
  pageNeed,
  type Rng,
} from '@cvhrc/core';
import type { ContextSnapshot, DemoStart, DemoWorkloadInfo } from './protocol.js';
import { checkStart, gridSizes, type DemoRun } from './run.js';

/** Pages of every context's address space in the synthetic streams. */
const SPACE = 1 << 16;
const CHUNK = 16_384;
const SCAN_LIST = 2048;
const GROUP = 64;

interface Stream {
  fill(out: Uint32Array): void;
}

type StreamMaker = (rng: Rng, index: number) => Stream;

const STREAMS: Record<string, { description: string; make: StreamMaker }> = {
  zipf: {
    description: 'Zipf(0.9) over 64 Ki pages, a different seed per container',
    make: (rng) => {
      const z = new ZipfSampler(SPACE, 0.9, rng);
      return { fill: (out) => void z.fill(out) };
    },
  },
  loop: {
    description: 'a loop over 4 Ki, 8 Ki, 12 Ki, 16 Ki pages (container 1, 2, 3, 4)',
    make: (_rng, index) => {
      const n = 4096 * (index + 1);
      let p = 0;
      return {
        fill: (out) => {
          for (let i = 0; i < out.length; i++) {
            out[i] = p;
            p = p + 1 === n ? 0 : p + 1;
          }
        },
      };
    },
  },
  phases: {
    description: 'a hot set of 3 Ki pages that moves every 200 Ki references, 10 % uniform noise',
    make: (rng) => {
      let t = 0;
      return {
        fill: (out) => {
          for (let i = 0; i < out.length; i++, t++) {
            const base = (Math.floor(t / 204_800) * 3072) % SPACE;
            out[i] =
              rng.nextFloat() < 0.1 ? rng.nextInt(SPACE) : (base + rng.nextInt(3072)) % SPACE;
          }
        },
      };
    },
  },
};

export const TRACE_WORKLOADS: readonly DemoWorkloadInfo[] = Object.entries(STREAMS).map(
  ([name, s]) => ({ engine: 'trace', name, description: s.description }),
);

interface Ctx {
  readonly stream: Stream;
  readonly host: TraceHost;
  readonly exact: ExactLru;
}

/** Runs `request.contexts` synthetic streams, `request.limit` references each. */
export function createTraceRun(request: DemoStart): DemoRun {
  checkStart(request);
  const spec = STREAMS[request.workload];
  if (spec === undefined) {
    throw new Error(
      `demo: unknown trace workload "${request.workload}" (known: ${Object.keys(STREAMS).join(', ')})`,
    );
  }
  const ctxs: Ctx[] = [];
  for (let i = 0; i < request.contexts; i++) {
    ctxs.push({
      stream: spec.make(createRng(request.seed + 7919 * i), i),
      host: new TraceHost({ scanListSize: SCAN_LIST, groupSize: GROUP, scanEvery: SCAN_LIST }),
      exact: new ExactLru(),
    });
  }
  const buf = new Uint32Array(CHUNK);
  let fed = 0;
  return {
    pageBytes: 4096,
    simSec: null,
    get references() {
      return fed * ctxs.length;
    },
    get finished() {
      return fed >= request.limit;
    },
    advance() {
      const n = Math.min(CHUNK * 8, request.limit - fed);
      for (let done = 0; done < n; done += CHUNK) {
        const k = Math.min(CHUNK, n - done);
        for (const c of ctxs) {
          c.stream.fill(buf);
          c.host.feed(buf, k);
          c.exact.feed(buf, k);
        }
      }
      fed += n;
    },
    snapshot(): ContextSnapshot[] {
      return ctxs.map((c, i) => {
        const sizes = gridSizes(Math.max(c.exact.distinct, GROUP), GROUP);
        const tracker = c.host.curve(sizes);
        const exact = c.exact.curve(sizes);
        return {
          xid: 100 + i,
          label: `container ${i + 1}`,
          observed: c.host.references,
          curve: tracker.points(),
          pageNeed: pageNeed(tracker),
          exact: {
            curve: exact.points(),
            pageNeed: pageNeed(exact),
            mae: meanAbsoluteError(tracker, exact),
          },
          rssPages: null,
        };
      });
    },
  };
}
