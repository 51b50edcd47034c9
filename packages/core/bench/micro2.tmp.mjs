import { TraceHost, ZipfSampler, createRng } from '@cvhrc/core';
const [refs, pages] = [Number(process.argv[2]), Number(process.argv[3])];
const s = new ZipfSampler(pages, 1, createRng(1));
const tr = new Uint32Array(refs);
for (let i = 0; i < refs; i++) tr[i] = Math.imul(s.next(), 0x9e3779b1) >>> 0;
let t = performance.now();
const h = new TraceHost(); h.accessAll(tr); h.finish();
const b = performance.now() - t;
console.log(`cvhrc ${(refs / b / 1000).toFixed(1)}M/s`, h.tracker.counters.fakeFaults);
