import { InvalidOptionError } from './errors.js';
import { HitRatioCurve } from './hit-ratio-curve.js';

/**
 * Hit counts per group of LRU positions and the misses of one measuring window, as taken
 * from a {@link CvhrcTracker} by `snapshot()`. Group g covers LRU positions
 * [g·groupSize, (g + 1)·groupSize) (position 0 is the MRU end), so a hit in group g would
 * also have hit in any memory of (g + 1)·groupSize pages or more.
 *
 * Immutable; `minus` gives the counts of the window between two snapshots.
 */
export class GroupHits {
  readonly #hits: Float64Array;

  constructor(
    /** Pages per group. */
    readonly groupSize: number,
    hitsPerGroup: ArrayLike<number>,
    /** Observed misses (first touches). */
    readonly misses: number,
    /**
     * The most entities the LRU list held while these counts were taken (default: no
     * bound). No hit can lie at a position at or past it, so the curve's last point is put
     * at this size rather than at the end of its group: a list of 4000 entities with
     * 256-page groups has its last point at 4000, not 4096.
     */
    readonly maxListLength = Infinity,
  ) {
    if (!Number.isInteger(groupSize) || groupSize < 1) {
      throw new InvalidOptionError('groupSize', `must be an integer ≥ 1, got ${groupSize}`);
    }
    if (!(misses >= 0)) throw new InvalidOptionError('misses', `must be ≥ 0, got ${misses}`);
    if (!(maxListLength >= 0)) {
      throw new InvalidOptionError('maxListLength', `must be ≥ 0, got ${maxListLength}`);
    }
    this.#hits = Float64Array.from(hitsPerGroup);
    for (let g = 0; g < this.#hits.length; g++) {
      if (!(this.#hits[g]! >= 0)) {
        throw new InvalidOptionError('hitsPerGroup', `group ${g} has ${this.#hits[g]!} hits`);
      }
    }
  }

  /** Number of groups counted (trailing groups may be 0). */
  get groups(): number {
    return this.#hits.length;
  }

  /** Hits counted in group `g` (0 beyond the last group). */
  hitsIn(g: number): number {
    return this.#hits[g] ?? 0;
  }

  /** A copy of the per-group hit counts. */
  hitsPerGroup(): Float64Array {
    return this.#hits.slice();
  }

  /** All hits. */
  get hits(): number {
    let sum = 0;
    for (let g = 0; g < this.#hits.length; g++) sum += this.#hits[g]!;
    return sum;
  }

  /** All observed accesses: hits plus misses. */
  get accesses(): number {
    return this.hits + this.misses;
  }

  /**
   * The counts of the window from `earlier` to this snapshot (same tracker, taken before,
   * with no reset in between).
   */
  minus(earlier: GroupHits): GroupHits {
    if (earlier.groupSize !== this.groupSize) {
      throw new InvalidOptionError(
        'earlier',
        `group size ${earlier.groupSize} differs from ${this.groupSize}`,
      );
    }
    const n = Math.max(this.groups, earlier.groups);
    const out = new Float64Array(n);
    for (let g = 0; g < n; g++) {
      const d = this.hitsIn(g) - earlier.hitsIn(g);
      if (d < 0) {
        throw new InvalidOptionError('earlier', `is not an earlier snapshot (group ${g} shrank)`);
      }
      out[g] = d;
    }
    const misses = this.misses - earlier.misses;
    if (misses < 0)
      throw new InvalidOptionError('earlier', 'is not an earlier snapshot (misses shrank)');
    return new GroupHits(
      this.groupSize,
      out,
      misses,
      Math.max(this.maxListLength, earlier.maxListLength),
    );
  }

  /**
   * The hit-ratio curve: at size (g + 1)·groupSize, the hits in groups 0..g over all observed
   * accesses (hits plus misses); 0 with no access. The group that holds position
   * `maxListLength − 1` ends the curve at `maxListLength`, and groups past it (which can
   * hold no hit) are left out. With `sizes`, the curve is looked up at
   * those sizes (step semantics: a size between group ends takes the value of the group end
   * below it, and sizes below one group are 0).
   */
  curve(sizes?: ArrayLike<number>): HitRatioCurve {
    let n = this.#hits.length;
    const bound = this.maxListLength;
    const lastGroup = Math.ceil(bound / this.groupSize);
    // Groups past the list's length hold no hits unless the bound is wrong; keep them then.
    let beyond = 0;
    for (let g = lastGroup; g < n; g++) beyond += this.#hits[g]!;
    const clamp = beyond === 0 && lastGroup < Infinity;
    if (clamp) n = Math.min(n, lastGroup);
    const total = this.accesses;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    let cum = 0;
    for (let g = 0; g < n; g++) {
      cum += this.#hits[g]!;
      xs[g] = clamp ? Math.min((g + 1) * this.groupSize, bound) : (g + 1) * this.groupSize;
      ys[g] = total === 0 ? 0 : Math.min(1, cum / total);
    }
    const curve = HitRatioCurve.fromArrays(xs, ys);
    return sizes === undefined ? curve : curve.resample(sizes);
  }
}
