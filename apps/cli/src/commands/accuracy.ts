import { resolve } from 'node:path';
import {
  ExactLru,
  TraceHost,
  ZipfSampler,
  createRng,
  geometricSizes,
  meanAbsoluteError,
  pageNeed,
  DEFAULT_SCAN_LIST_SIZE,
} from '@cvhrc/core';
import { readTraceFile } from '@cvhrc/workloads/node';
import { checkReadableFile } from '../output.js';

/** One synthetic reference stream: fills `out` from position 0 and returns how many. */
type Generator = (out: Float64Array) => number;

export interface AccuracyRow {
  trace: string;
  references: number;
  distinct: number;
  maeAll: number;
  maeAtOrAboveScanList: number | null;
  pageNeedExact: number;
  pageNeedCvhrc: number;
}

const BATCH = 1 << 16;

/** Streams of `total` references from a per-reference function, in batches. */
function stream(total: number, next: (i: number) => number): Generator {
  let i = 0;
  return (out) => {
    const n = Math.min(out.length, total - i);
    for (let k = 0; k < n; k++) out[k] = next(i + k);
    i += n;
    return n;
  };
}

/**
 * The synthetic traces of the accuracy table, each seeded: Zipf over a large set, uniform,
 * loops larger and smaller than the scan list, and working-set phases.
 */
export function syntheticTraces(seed: number): { name: string; make: () => Generator }[] {
  return [
    {
      name: 'zipf(1.0) 2M refs over 100k pages',
      make: () => {
        const z = new ZipfSampler(100_000, 1, createRng(seed));
        return stream(2_000_000, () => z.next());
      },
    },
    {
      name: 'uniform 2M refs over 20k pages',
      make: () => {
        const r = createRng(seed);
        return stream(2_000_000, () => r.nextInt(20_000));
      },
    },
    {
      name: 'loop over 12k pages, 2M refs',
      make: () => stream(2_000_000, (i) => i % 12_000),
    },
    {
      name: 'loop over 4k pages, 2M refs',
      make: () => stream(2_000_000, (i) => i % 4_000),
    },
    {
      name: 'phases: 4 x 500k refs, zipf(0.8) over 30k pages each',
      make: () => {
        const z = new ZipfSampler(30_000, 0.8, createRng(seed));
        return stream(2_000_000, (i) => Math.floor(i / 500_000) * 30_000 + z.next());
      },
    },
  ];
}

function measure(name: string, feedAll: (feed: (b: Float64Array) => void) => void | Promise<void>) {
  const exact = new ExactLru();
  const host = new TraceHost();
  let references = 0;
  const done = feedAll((b) => {
    exact.accessAll(b);
    host.accessAll(b);
    references += b.length;
  });
  const finish = (): AccuracyRow => {
    host.finish();
    const sizes = geometricSizes(Math.max(1, exact.distinct), 4);
    const big = sizes.filter((s) => s >= DEFAULT_SCAN_LIST_SIZE);
    const e = exact.curve();
    const c = host.curve();
    const needGrid = geometricSizes(Math.max(1, exact.distinct), 16);
    return {
      trace: name,
      references,
      distinct: exact.distinct,
      maeAll: meanAbsoluteError(e, c, sizes),
      maeAtOrAboveScanList: big.length > 0 ? meanAbsoluteError(e, c, big) : null,
      pageNeedExact: pageNeed(e.resample(needGrid)),
      pageNeedCvhrc: pageNeed(c.resample(needGrid)),
    };
  };
  return done instanceof Promise ? done.then(finish) : Promise.resolve(finish());
}

/**
 * Tracker-vs-exact accuracy at default settings (scan list 8192, group 256, a scan every
 * 8192 references) on trace files and on the seeded synthetic traces.
 */
export async function accuracyTable(
  traces: readonly string[],
  cwd: string,
  seed: number,
): Promise<AccuracyRow[]> {
  const rows: AccuracyRow[] = [];
  // Every file is checked before the first is read.
  for (const t of traces) checkReadableFile(resolve(cwd, t), t);
  for (const t of traces) {
    rows.push(
      await measure(t, async (feed) => {
        for await (const b of readTraceFile(resolve(cwd, t), { reuseBatches: true })) feed(b);
      }),
    );
  }
  for (const s of syntheticTraces(seed)) {
    rows.push(
      await measure(s.name, (feed) => {
        const gen = s.make();
        const buf = new Float64Array(BATCH);
        for (let n = gen(buf); n > 0; n = gen(buf)) feed(n === BATCH ? buf : buf.subarray(0, n));
      }),
    );
  }
  return rows;
}
