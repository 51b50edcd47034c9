/**
 * Synthetic access patterns, each a task with one anonymous region it first writes (so that
 * its pages are real, not the shared zero page) and then references in a pattern:
 * a sequential scan, a loop over n pages, uniform random, Zipf(α), and working-set phases.
 * Random patterns yield one single-page touch per reference from one reused operation
 * object (the scheduler is done with an operation before it asks for the next), so a long
 * stream allocates nothing per reference.
 */
import type { Operation, TouchOp } from '@cvhrc/mm';
import { SeededRandom, ZipfSampler } from './random.js';

type MutableTouch = { -readonly [K in keyof TouchOp]: TouchOp[K] };

/** Common knobs of the synthetic patterns. */
export interface SyntheticBase {
  /** Pages of the region. */
  readonly pages: number;
  /** Word accesses each page reference stands for (1 … 1024). */
  readonly words: number;
  /** Share of references that are stores (random patterns; scans: all or nothing). */
  readonly writeRatio: number;
  /** CPU time between references (think time), ns; 0: none. */
  readonly computeNs: number;
  readonly seed: number;
}

function* populate(pages: number): Generator<Operation, void, undefined> {
  yield { op: 'mmap', name: 'data', pages };
  yield { op: 'touch', mapping: 'data', pages, write: true, words: 1024 };
}

/** A sequential scan of the region, `passes` times (a stream: each page once per pass). */
export function* seqScan(
  o: SyntheticBase & { readonly passes: number },
): Generator<Operation, void, undefined> {
  yield* populate(o.pages);
  for (let p = 0; p < o.passes; p++) {
    yield {
      op: 'touch',
      mapping: 'data',
      pages: o.pages,
      write: o.writeRatio >= 0.5,
      words: o.words,
    };
    if (o.computeNs > 0) yield { op: 'compute', ns: o.computeNs };
  }
}

/**
 * A loop over the first `loopPages` pages of the region, `iterations` times — the classic
 * pattern LRU fails on when the loop is larger than memory.
 */
export function* loopPattern(
  o: SyntheticBase & { readonly loopPages: number; readonly iterations: number },
): Generator<Operation, void, undefined> {
  yield* populate(o.pages);
  const n = Math.min(o.loopPages, o.pages);
  if (o.computeNs > 0) {
    for (let i = 0; i < o.iterations; i++) {
      yield { op: 'touch', mapping: 'data', pages: n, write: o.writeRatio >= 0.5, words: o.words };
      yield { op: 'compute', ns: o.computeNs };
    }
  } else {
    yield {
      op: 'touch',
      mapping: 'data',
      pages: n,
      write: o.writeRatio >= 0.5,
      words: o.words,
      repeat: o.iterations,
    };
  }
}

/** References drawn one at a time by `next(rng)` (a page offset in the region). */
function* references(
  o: SyntheticBase,
  count: number,
  next: (rng: SeededRandom) => number,
): Generator<Operation, void, undefined> {
  const rng = new SeededRandom(o.seed);
  const t: MutableTouch = {
    op: 'touch',
    mapping: 'data',
    offset: 0,
    pages: 1,
    write: false,
    words: o.words,
    workingSetBytes: o.pages * 4096,
  };
  const think: Operation = { op: 'compute', ns: o.computeNs };
  for (let i = 0; i < count; i++) {
    t.offset = next(rng);
    t.write = o.writeRatio > 0 && rng.next() < o.writeRatio;
    yield t;
    if (o.computeNs > 0) yield think;
  }
}

/** Uniform random references over the region. */
export function* uniformPattern(
  o: SyntheticBase & { readonly references: number },
): Generator<Operation, void, undefined> {
  yield* populate(o.pages);
  yield* references(o, o.references, (rng) => rng.int(o.pages));
}

/**
 * Zipf(α) references: page popularity ranks follow 1/k^α; which page holds which rank is a
 * seeded permutation (hot pages are scattered over the region).
 */
export function* zipfPattern(
  o: SyntheticBase & { readonly references: number; readonly alpha: number },
): Generator<Operation, void, undefined> {
  yield* populate(o.pages);
  const zipf = new ZipfSampler(o.pages, o.alpha);
  const place = new SeededRandom(o.seed ^ 0x5bd1e995).permutation(o.pages);
  yield* references(o, o.references, (rng) => place[zipf.rank(rng.next())]!);
}

/**
 * Working-set phases: `phases` windows of `phasePages` pages, each shifted from the last by
 * (1 − overlap)·phasePages (wrapping in the region), each referenced uniformly
 * `referencesPerPhase` times — the need changes over time, as in the paper's Figures 3–4.
 */
export function* phasesPattern(
  o: SyntheticBase & {
    readonly phases: number;
    readonly phasePages: number;
    readonly overlap: number;
    readonly referencesPerPhase: number;
  },
): Generator<Operation, void, undefined> {
  yield* populate(o.pages);
  const win = Math.min(o.phasePages, o.pages);
  const shift = Math.max(1, Math.round(win * (1 - o.overlap)));
  for (let p = 0; p < o.phases; p++) {
    const start = (p * shift) % o.pages;
    yield* references(
      { ...o, seed: o.seed + p * 7919 },
      o.referencesPerPhase,
      (rng) => (start + rng.int(win)) % o.pages,
    );
  }
}
