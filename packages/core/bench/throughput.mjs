/* global process, performance, console */
// Throughput of the exact LRU engine and of the CvHRC tracker on the trace host — on one
// thread (TraceHost: cvhrcPerSec) and on two (ParallelTraceHost: parallelPerSec, timed until
// its worker has taken every reference; its curve must be TraceHost's) — on a Zipf trace:
// `npm run bench -- [references] [pages] [alpha] [scatter]` (after a build it is
// `node bench/throughput.mjs …`). Defaults: 50 million references over 1 million pages,
// alpha 1, seed 42. With scatter = 1, ranks are spread over 32-bit page numbers by a
// bijection (as disk block numbers would be) instead of being used as page numbers.
// The trace is generated first and not timed, so that only the engines are measured.
// Prints one JSON object.
import {
  ExactLru,
  TraceHost,
  ZipfSampler,
  createRng,
  geometricSizes,
  meanAbsoluteError,
  pageNeed,
} from '@cvhrc/core';
import { ParallelTraceHost } from '@cvhrc/core/parallel';

const references = Number(process.argv[2] ?? 50_000_000);
const pages = Number(process.argv[3] ?? 1_000_000);
const alpha = Number(process.argv[4] ?? 1);
const scatter = process.argv[5] === '1';
const seed = 42;

const sampler = new ZipfSampler(pages, alpha, createRng(seed));
const trace = new Uint32Array(references);
let t = performance.now();
for (let i = 0; i < references; i++) {
  const rank = sampler.next();
  trace[i] = scatter ? Math.imul(rank, 0x9e3779b1) >>> 0 : rank;
}
const generateMs = performance.now() - t;

t = performance.now();
const exact = new ExactLru();
exact.accessAll(trace);
const exactMs = performance.now() - t;

t = performance.now();
const host = new TraceHost();
host.accessAll(trace);
host.finish();
const cvhrcMs = performance.now() - t;

t = performance.now();
const parallel = new ParallelTraceHost();
parallel.accessAll(trace);
parallel.finish();
parallel.drain();
const parallelMs = performance.now() - t;

const sizes = geometricSizes(exact.distinct, 4);
const exactCurve = exact.curve(sizes);
const cvhrcCurve = host.curve(sizes);
if (JSON.stringify(parallel.curve(sizes).toJSON()) !== JSON.stringify(cvhrcCurve.toJSON())) {
  throw new Error('throughput: the two-thread tracker’s curve differs from the one-thread one');
}
parallel.close();
const atOrAbove = sizes.filter((s) => s >= host.tracker.scanListSize);
const { parts: _parts, ...space } = host.tracker.spaceReport();
console.log(
  JSON.stringify(
    {
      references,
      pages,
      alpha,
      seed,
      scatter,
      distinct: exact.distinct,
      generatePerSec: Math.round(references / (generateMs / 1000)),
      exactPerSec: Math.round(references / (exactMs / 1000)),
      cvhrcPerSec: Math.round(references / (cvhrcMs / 1000)),
      parallelPerSec: Math.round(references / (parallelMs / 1000)),
      exactBytes: exact.memoryBytes(),
      trackerSpace: space,
      counters: host.tracker.counters,
      pageNeed: { exact: pageNeed(exactCurve), cvhrc: pageNeed(cvhrcCurve) },
      mae: meanAbsoluteError(exactCurve, cvhrcCurve, sizes),
      maeAtOrAboveScanList: meanAbsoluteError(exactCurve, cvhrcCurve, atOrAbove),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    },
    null,
    2,
  ),
);
