/**
 * A model of the Linux 2.6.17 source tree a kernel build compiles: the C files of the
 * configured objects, the shared headers, and which headers each file includes. Every number
 * is a parameter; defaults are assumptions stated in {@link DEFAULT_TREE} (no published
 * per-file statistics of the paper's build exist).
 */
import { SeededRandom, ZipfSampler } from '../random.js';

const KIB = 1024;
const MIB = 1024 * 1024;

/** Parameters of the source tree and of the compiler's work per file. */
export interface TreeParams {
  /** C files compiled (objects of the configuration). */
  readonly units: number;
  /** Header files in the tree that units include. */
  readonly headers: number;
  /** Headers included by (nearly) every unit: linux/kernel.h, sched.h, fs.h, mm.h … */
  readonly coreHeaders: number;
  /** Further headers per unit, drawn by Zipf(1) popularity from the others. */
  readonly extraHeaders: number;
  /** Median size of a .c file, bytes (log-normal). */
  readonly sourceMedianBytes: number;
  readonly sourceSigma: number;
  /** Median size of a header, bytes (log-normal). */
  readonly headerMedianBytes: number;
  readonly headerSigma: number;
  /** Median peak heap of cc1 per file, bytes (log-normal), and its bounds. */
  readonly cc1HeapMedianBytes: number;
  readonly cc1HeapSigma: number;
  readonly cc1HeapMinBytes: number;
  readonly cc1HeapMaxBytes: number;
}

/**
 * Defaults (assumptions): an i386 configuration of 2.6.17 builds on the order of a thousand
 * C files into vmlinux (a distribution config with modules builds several thousand);
 * include/linux and include/asm-i386 hold about 1,500 headers; a typical kernel .c file
 * pulls in over a hundred headers through linux/kernel.h, linux/sched.h, linux/fs.h and
 * linux/mm.h (`gcc -H` on such a file lists 150–250), ~120 of them common to nearly all;
 * .c files have a median of ~12 KB with a long tail, headers ~4 KB; gcc 4.1's cc1 peaks at
 * ~10–20 MB of GC heap on a kernel file at -O2, more on the largest.
 */
export const DEFAULT_TREE: TreeParams = {
  units: 1000,
  headers: 1500,
  coreHeaders: 120,
  extraHeaders: 60,
  sourceMedianBytes: 12 * KIB,
  sourceSigma: 0.9,
  headerMedianBytes: 4 * KIB,
  headerSigma: 1.0,
  cc1HeapMedianBytes: 14 * MIB,
  cc1HeapSigma: 0.5,
  cc1HeapMinBytes: 4 * MIB,
  cc1HeapMaxBytes: 160 * MIB,
};

/** One compilation unit. */
export interface Unit {
  readonly index: number;
  readonly sourceBytes: number;
  /** Header indices in the order the preprocessor opens them. */
  readonly headers: Int32Array;
  /** Peak heap of cc1 on this file, bytes. */
  readonly heapBytes: number;
}

/** A source tree: sizes and include lists, drawn from a seed. */
export interface SourceTree {
  readonly params: TreeParams;
  readonly headerBytes: Int32Array;
  readonly units: readonly Unit[];
}

/** Draws a tree from `seed`: the same seed and parameters give the same tree. */
export function makeSourceTree(params: TreeParams, seed: number): SourceTree {
  const rng = new SeededRandom(seed);
  const clampInt = (x: number, lo: number, hi: number): number =>
    Math.round(Math.min(hi, Math.max(lo, x)));
  const headerBytes = new Int32Array(params.headers);
  for (let h = 0; h < params.headers; h++) {
    headerBytes[h] = clampInt(
      rng.logNormal(params.headerMedianBytes, params.headerSigma),
      200,
      512 * KIB,
    );
  }
  const core = Math.min(params.coreHeaders, params.headers);
  const rest = params.headers - core;
  const zipf = rest > 0 ? new ZipfSampler(rest, 1) : null;
  // Popularity ranks of the non-core headers are a seeded permutation of them.
  const rankToHeader = rng.permutation(rest);
  const units: Unit[] = [];
  const seen = new Uint8Array(params.headers);
  for (let u = 0; u < params.units; u++) {
    const list: number[] = [];
    seen.fill(0);
    for (let h = 0; h < core; h++) {
      list.push(h);
      seen[h] = 1;
    }
    if (zipf !== null) {
      const want = Math.min(params.extraHeaders, rest);
      for (let tries = 0; list.length < core + want && tries < want * 20; tries++) {
        const h = core + rankToHeader[zipf.rank(rng.next())]!;
        if (seen[h] === 0) {
          seen[h] = 1;
          list.push(h);
        }
      }
    }
    units.push({
      index: u,
      sourceBytes: clampInt(
        rng.logNormal(params.sourceMedianBytes, params.sourceSigma),
        256,
        1024 * KIB,
      ),
      headers: Int32Array.from(list),
      heapBytes: clampInt(
        rng.logNormal(params.cc1HeapMedianBytes, params.cc1HeapSigma),
        params.cc1HeapMinBytes,
        params.cc1HeapMaxBytes,
      ),
    });
  }
  return { params, headerBytes, units };
}
