import { CurveParseError, CurveValidationError, InvalidOptionError } from './errors.js';
import { normaliseSizes } from './internal/sizes.js';

/** One point of a hit-ratio curve: with `size` pages of memory, a fraction `hitRatio` of accesses hit. */
export interface CurvePoint {
  readonly size: number;
  readonly hitRatio: number;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A hit-ratio curve: memory size in pages → hit ratio in [0, 1], non-decreasing.
 *
 * The curve is defined at a strictly increasing list of sizes and is a step function between
 * them: {@link HitRatioCurve.at} gives the hit ratio of the largest defined size that is no
 * larger than the size asked for, and 0 below the first defined size (no memory, no hits).
 * Instances are immutable.
 */
export class HitRatioCurve {
  readonly #sizes: Float64Array;
  readonly #ratios: Float64Array;

  private constructor(sizes: Float64Array, ratios: Float64Array) {
    this.#sizes = sizes;
    this.#ratios = ratios;
  }

  /** A curve from points; throws {@link CurveValidationError} if they break the rules. */
  static fromPoints(points: readonly CurvePoint[]): HitRatioCurve {
    const sizes = new Float64Array(points.length);
    const ratios = new Float64Array(points.length);
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      sizes[i] = p.size;
      ratios[i] = p.hitRatio;
    }
    validate(sizes, ratios);
    return new HitRatioCurve(sizes, ratios);
  }

  /** A curve from parallel arrays of sizes and hit ratios (copied); validated as {@link fromPoints}. */
  static fromArrays(sizes: ArrayLike<number>, hitRatios: ArrayLike<number>): HitRatioCurve {
    if (sizes.length !== hitRatios.length) {
      throw new CurveValidationError(
        `${sizes.length} sizes but ${hitRatios.length} hit ratios`,
        -1,
        'points',
      );
    }
    const s = Float64Array.from(sizes);
    const r = Float64Array.from(hitRatios);
    validate(s, r);
    return new HitRatioCurve(s, r);
  }

  /**
   * Reads what {@link toJSON} wrote: an array of `{size, hitRatio}` objects, or an object with
   * such an array under `points`. `source` names the input in errors.
   */
  static fromJSON(json: unknown, source = 'json'): HitRatioCurve {
    let points: unknown = json;
    if (points !== null && typeof points === 'object' && !Array.isArray(points)) {
      points = (points as { points?: unknown }).points;
    }
    if (!Array.isArray(points)) {
      throw new CurveParseError('expected an array of {size, hitRatio} points', source, 0);
    }
    const list = points as unknown[];
    const sizes = new Float64Array(list.length);
    const ratios = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p === null || typeof p !== 'object') {
        throw new CurveParseError('expected an object {size, hitRatio}', source, i + 1);
      }
      const { size, hitRatio } = p as { size?: unknown; hitRatio?: unknown };
      if (typeof size !== 'number' || typeof hitRatio !== 'number') {
        throw new CurveParseError('expected numeric "size" and "hitRatio"', source, i + 1);
      }
      sizes[i] = size;
      ratios[i] = hitRatio;
    }
    try {
      validate(sizes, ratios);
    } catch (e) {
      if (e instanceof CurveValidationError) {
        throw new CurveParseError(e.message, source, e.index + 1);
      }
      throw e;
    }
    return new HitRatioCurve(sizes, ratios);
  }

  /**
   * Reads CSV as written by {@link toCsv}: an optional header `size,hit_ratio`, then one
   * `size,hitRatio` pair per line. Blank lines are ignored; CRLF is accepted. Errors name the
   * 1-based line.
   */
  static fromCsv(text: string, source = 'csv'): HitRatioCurve {
    const lines = text.split('\n');
    const sizes: number[] = [];
    const ratios: number[] = [];
    const lineOf: number[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, '').trim();
      if (line === '') continue;
      const cells = line.split(',').map((c) => c.trim());
      if (sizes.length === 0 && lineOf.length === 0 && !NUMBER.test(cells[0] ?? '')) {
        if (
          cells.length === 2 &&
          cells[0]!.toLowerCase() === 'size' &&
          cells[1]!.toLowerCase() === 'hit_ratio'
        ) {
          lineOf.push(-1);
          continue;
        }
        throw new CurveParseError(
          `expected the header "size,hit_ratio" or a data row, got "${line}"`,
          source,
          i + 1,
        );
      }
      if (cells.length !== 2) {
        throw new CurveParseError(
          `expected 2 fields (size,hit_ratio), got ${cells.length}`,
          source,
          i + 1,
        );
      }
      const [a, b] = cells as [string, string];
      if (!NUMBER.test(a)) throw new CurveParseError(`size "${a}" is not a number`, source, i + 1);
      if (!NUMBER.test(b))
        throw new CurveParseError(`hit ratio "${b}" is not a number`, source, i + 1);
      sizes.push(Number(a));
      ratios.push(Number(b));
      lineOf.push(i + 1);
    }
    const s = Float64Array.from(sizes);
    const r = Float64Array.from(ratios);
    try {
      validate(s, r);
    } catch (e) {
      if (e instanceof CurveValidationError) {
        const dataLines = lineOf.filter((l) => l > 0);
        throw new CurveParseError(e.message, source, dataLines[e.index] ?? 0);
      }
      throw e;
    }
    return new HitRatioCurve(s, r);
  }

  /** Number of defined points. */
  get length(): number {
    return this.#sizes.length;
  }

  /** The i-th defined size (0-based). */
  size(i: number): number {
    return checkIndex(this.#sizes, i);
  }

  /** The hit ratio at the i-th defined size (0-based). */
  hitRatio(i: number): number {
    return checkIndex(this.#ratios, i);
  }

  /** A copy of the defined sizes. */
  sizes(): Float64Array {
    return this.#sizes.slice();
  }

  /** A copy of the hit ratios at the defined sizes. */
  hitRatios(): Float64Array {
    return this.#ratios.slice();
  }

  /** The defined points. */
  points(): CurvePoint[] {
    const out: CurvePoint[] = [];
    for (let i = 0; i < this.#sizes.length; i++) {
      out.push({ size: this.#sizes[i]!, hitRatio: this.#ratios[i]! });
    }
    return out;
  }

  /**
   * The hit ratio with `size` pages: that of the largest defined size ≤ `size`, or 0 when
   * `size` is below the first defined size.
   */
  at(size: number): number {
    if (Number.isNaN(size)) throw new InvalidOptionError('size', 'is NaN');
    const s = this.#sizes;
    let lo = 0;
    let hi = s.length; // first index with s[i] > size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! <= size) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : this.#ratios[lo - 1]!;
  }

  /**
   * The same curve looked up (step semantics) at other sizes. The sizes are sorted and
   * duplicates dropped; each must be a finite number ≥ 0.
   */
  resample(sizes: ArrayLike<number>): HitRatioCurve {
    const grid = normaliseSizes(sizes, 'sizes');
    const ratios = new Float64Array(grid.length);
    for (let i = 0; i < grid.length; i++) ratios[i] = this.at(grid[i]!);
    return new HitRatioCurve(grid, ratios);
  }

  /** The points, so that `JSON.stringify(curve)` gives `[{"size":…,"hitRatio":…},…]`. */
  toJSON(): CurvePoint[] {
    return this.points();
  }

  /** CSV with the header `size,hit_ratio` and one line per point, ending in a newline. */
  toCsv(): string {
    let out = 'size,hit_ratio\n';
    for (let i = 0; i < this.#sizes.length; i++) {
      out += `${this.#sizes[i]!},${this.#ratios[i]!}\n`;
    }
    return out;
  }
}

/**
 * Mean over `sizes` of |a(size) − b(size)| with step lookup. Without `sizes`, the union of both
 * curves' defined sizes is used. Throws {@link InvalidOptionError} when there is no size.
 */
export function meanAbsoluteError(
  a: HitRatioCurve,
  b: HitRatioCurve,
  sizes?: ArrayLike<number>,
): number {
  let grid: ArrayLike<number>;
  if (sizes === undefined) {
    const union = new Float64Array(a.length + b.length);
    union.set(a.sizes(), 0);
    union.set(b.sizes(), a.length);
    grid = normaliseSizes(union, 'sizes');
  } else {
    grid = sizes;
  }
  if (grid.length === 0) throw new InvalidOptionError('sizes', 'no size to compare the curves at');
  let sum = 0;
  for (let i = 0; i < grid.length; i++) {
    const s = grid[i]!;
    sum += Math.abs(a.at(s) - b.at(s));
  }
  return sum / grid.length;
}

/**
 * A geometric grid of integer sizes from 1 to `max` (both included): `pointsPerDoubling`
 * sizes per doubling, rounded and deduplicated, so small sizes are all present and large ones
 * are spaced evenly on a log axis. `geometricSizes(0)` is empty.
 */
export function geometricSizes(max: number, pointsPerDoubling = 4): number[] {
  if (!Number.isInteger(max) || max < 0) {
    throw new InvalidOptionError('max', `must be an integer ≥ 0, got ${String(max)}`);
  }
  if (!Number.isInteger(pointsPerDoubling) || pointsPerDoubling < 1) {
    throw new InvalidOptionError(
      'pointsPerDoubling',
      `must be an integer ≥ 1, got ${String(pointsPerDoubling)}`,
    );
  }
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const s = Math.round(2 ** (k / pointsPerDoubling));
    if (s >= max) break;
    if (out.length === 0 || s > out[out.length - 1]!) out.push(s);
  }
  if (max >= 1) out.push(max);
  return out;
}

function validate(sizes: Float64Array, ratios: Float64Array): void {
  for (let i = 0; i < sizes.length; i++) {
    const s = sizes[i]!;
    const r = ratios[i]!;
    if (!Number.isFinite(s) || s < 0) {
      throw new CurveValidationError(
        `size ${s} at point ${i} is not a finite number ≥ 0`,
        i,
        'size',
      );
    }
    if (i > 0 && !(s > sizes[i - 1]!)) {
      throw new CurveValidationError(
        `sizes must increase strictly: ${sizes[i - 1]!} then ${s} at point ${i}`,
        i,
        'size',
      );
    }
    if (!(r >= 0 && r <= 1)) {
      throw new CurveValidationError(
        `hit ratio ${r} at point ${i} is not in [0, 1]`,
        i,
        'hitRatio',
      );
    }
    if (i > 0 && r < ratios[i - 1]!) {
      throw new CurveValidationError(
        `hit ratios must not decrease: ${ratios[i - 1]!} then ${r} at point ${i}`,
        i,
        'hitRatio',
      );
    }
  }
}

function checkIndex(arr: Float64Array, i: number): number {
  const v = arr[i];
  if (v === undefined || !Number.isInteger(i)) {
    throw new InvalidOptionError('index', `${i} is outside 0..${arr.length - 1}`);
  }
  return v;
}
