/**
 * Trace replay: a task that references, in order, the pages of a trace read by the trace
 * readers (`readTrace(…).collect()`). Page numbers are renumbered densely by first
 * appearance into one anonymous region (a trace's page numbers may be any 53-bit integers),
 * which is mapped at start; each reference is a one-page touch (a run of consecutive pages
 * is one touch), from one reused operation object.
 */
import type { Operation, TouchOp } from '@cvhrc/mm';

type MutableTouch = { -readonly [K in keyof TouchOp]: TouchOp[K] };

/** Options of {@link replayTrace}. */
export interface ReplayOptions {
  /** Word accesses each reference stands for (1 … 1024). */
  readonly words: number;
  /** References are stores (true) or loads. */
  readonly write: boolean;
  /** Populate the region with stores first (else untouched pages read as the zero page). */
  readonly populate: boolean;
  /** Replay the trace this many times. */
  readonly passes: number;
}

/** Dense renumbering of a trace: each distinct page gets 0, 1, … by first appearance. */
export function denseTrace(pages: ArrayLike<number>): {
  readonly offsets: Int32Array;
  readonly distinct: number;
} {
  const ids = new Map<number, number>();
  const offsets = new Int32Array(pages.length);
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i]!;
    let id = ids.get(p);
    if (id === undefined) {
      id = ids.size;
      ids.set(p, id);
    }
    offsets[i] = id;
  }
  return { offsets, distinct: ids.size };
}

/** The replay program over a renumbered trace. */
export function* replayTrace(
  trace: { readonly offsets: Int32Array; readonly distinct: number },
  o: ReplayOptions,
): Generator<Operation, void, undefined> {
  const { offsets, distinct } = trace;
  if (distinct === 0) return;
  yield { op: 'mmap', name: 'trace', pages: distinct };
  if (o.populate)
    yield { op: 'touch', mapping: 'trace', pages: distinct, write: true, words: 1024 };
  const t: MutableTouch = {
    op: 'touch',
    mapping: 'trace',
    offset: 0,
    pages: 1,
    write: o.write,
    words: o.words,
    workingSetBytes: distinct * 4096,
  };
  for (let pass = 0; pass < o.passes; pass++) {
    let i = 0;
    while (i < offsets.length) {
      const start = offsets[i]!;
      let run = 1;
      while (i + run < offsets.length && offsets[i + run] === start + run) run++;
      t.offset = start;
      t.pages = run;
      yield t;
      i += run;
    }
  }
}
