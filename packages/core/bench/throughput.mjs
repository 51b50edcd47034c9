// Throughput of the exact LRU engine and of the tracker on the trace host, on a Zipf trace.
// Run after a build: `npx tsup && node bench/throughput.mjs [references] [pages] [alpha]`.
// Prints one JSON object. The trace is generated first (not timed) so that only the engines
// are measured.
import { ExactLru, TraceHost, ZipfSampler, createRng, geometricSizes, meanAbsoluteError } from '@cvhrc/core';

const references = Number(process.argv[2] ?? 50_000_000);
const pages = Number(process.argv[3] ?? 1_000_000);
const alpha = Number(process.argv[4] ?? 1);
const seed = 42;

const sampler = new ZipfSampler(pages, alpha, createRng(seed));
const trace = new Uint32Array(references);
let t = performance.now();
for (let i = 0; i < references; i++) {
  // Scatter ranks over 32-bit page numbers (a bijection), as disk block numbers would be.
  trace[i] = Math.imul(sampler.next(), 0x9e3779b1) >>> 0;
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

const sizes = geometricSizes(exact.distinct, 4);
const exactCurve = exact.curve(sizes);
const cvhrcCurve = host.curve(sizes);
const large = sizes.filter((s) => s >= host.tracker.scanListSize);
console.log(
  JSON.stringify(
    {
      references,
      pages,
      alpha,
      distinct: exact.distinct,
      generatePerSec: Math.round(references / (generateMs / 1000)),
      exactPerSec: Math.round(references / (exactMs / 1000)),
      cvhrcPerSec: Math.round(references / (cvhrcMs / 1000)),
      exactBytes: exact.memoryBytes(),
      trackerSpace: (({ parts: _p, ...rest }) => rest)(host.tracker.spaceReport()),
      counters: host.tracker.counters,
      mae: meanAbsoluteError(exactCurve, cvhrcCurve, sizes),
      maeAtOrAboveScanList: meanAbsoluteError(exactCurve, cvhrcCurve, large),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    },
    null,
    2,
  ),
);
