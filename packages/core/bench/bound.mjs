/* global process, performance, console */
// A floor under the tracker's speed on the trace host: the least work any tracker behind the
// port does on the same Zipf trace as bench/throughput.mjs, timed the same way (the trace is
// generated first, untimed). Per reference the host's state of the page (one byte here);
// per first touch and per fake fault the node found by id, the entity put at the head of a
// scan list of 8192 kept as a ring, and the one that falls out protected with the next
// protection time. Left out on purpose, so that the figure is a bound and not a tracker:
// the scans, the entity's LRU position (the time marks' count of the entities ahead of it,
// which decides its group: a hit is counted here at a stand-in index), the counters and the
// port's calls. After a build: `node bench/bound.mjs [references] [pages] [alpha] [rounds]`
// (defaults 50 M, 1 M, 1, 4); prints one JSON object per round.
import { ZipfSampler, createRng } from '@cvhrc/core';

const references = Number(process.argv[2] ?? 50_000_000);
const pages = Number(process.argv[3] ?? 1_000_000);
const alpha = Number(process.argv[4] ?? 1);
const rounds = Number(process.argv[5] ?? 4);
const SCAN_LIST = 8192; // a power of two: the ring's index is masked

const sampler = new ZipfSampler(pages, alpha, createRng(42));
const trace = new Uint32Array(references);
for (let i = 0; i < references; i++) trace[i] = sampler.next();

// Page states: never seen, seen and idle, referenced, protected.
const UNSEEN = 0;
const IDLE = 1;
const PROT = 2;
const REF = 3;

/**
 * A typed array's element, read in bounds (for the type checker; V8 inlines it away).
 * @param {number | undefined} x
 * @returns {number}
 */
const at = (x) => /** @type {number} */ (x);

function round() {
  const codes = new Uint8Array(pages);
  const link = new Int32Array(pages); // scan-list place, or protection time
  const ring = new Int32Array(SCAN_LIST);
  // Protection time → entity, reused round the ring of times (a power of two ≥ 4 × pages).
  const timeToNode = new Int32Array(2 ** Math.ceil(Math.log2(4 * pages)));
  const timeMask = timeToNode.length - 1;
  const hits = new Float64Array(4096);
  let head = 0;
  let inRing = 0;
  let clock = 0;
  let faults = 0;
  const t = performance.now();
  for (let k = 0; k < references; k++) {
    const id = at(trace[k]);
    const s = at(codes[id]);
    if ((s & 1) !== 0) {
      codes[id] = REF; // IDLE or REF: a scan-list page
      continue;
    }
    if (s === PROT) {
      const g = ((clock - at(link[id])) >>> 8) & 4095;
      hits[g] = at(hits[g]) + 1;
      faults++;
    }
    codes[id] = IDLE;
    const fallen = inRing === SCAN_LIST ? at(ring[head]) : -1;
    if (fallen < 0) inRing++;
    ring[head] = id;
    link[id] = -(head + 1);
    head = (head + 1) & (SCAN_LIST - 1);
    if (fallen >= 0) {
      codes[fallen] = PROT;
      link[fallen] = clock;
      timeToNode[clock & timeMask] = fallen;
      clock++;
    }
  }
  const ms = performance.now() - t;
  let sum = 0;
  for (let g = 0; g < hits.length; g++) sum += at(hits[g]);
  if (sum !== faults || codes[at(trace[0])] === UNSEEN)
    throw new Error('bound: inconsistent counts');
  return { references, pages, alpha, perSec: Math.round(references / (ms / 1000)), faults };
}

for (let r = 0; r < rounds; r++) console.log(JSON.stringify(round()));
