/**
 * Geometry of the demo's plots: scales, ticks and SVG paths of hit-ratio curves. Pure
 * functions, so that the drawing is tested without a browser.
 */
import type { CurvePointJson } from './protocol.js';

export interface PlotBox {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export const DEFAULT_BOX: PlotBox = {
  width: 420,
  height: 260,
  left: 44,
  right: 12,
  top: 12,
  bottom: 36,
};

/** Maps a size in pages and a hit ratio to SVG coordinates. */
export interface Scales {
  x(size: number): number;
  y(hitRatio: number): number;
  readonly maxSize: number;
}

export function scales(maxSize: number, box: PlotBox = DEFAULT_BOX): Scales {
  const max = maxSize > 0 ? maxSize : 1;
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  return {
    maxSize: max,
    x: (size) => box.left + (Math.min(size, max) / max) * w,
    y: (r) => box.top + (1 - r) * h,
  };
}

/**
 * The SVG path of a curve under step semantics (the value of the largest defined size ≤ x,
 * 0 before the first): from (0, 0) along the steps to the last point. Empty for no points.
 */
export function stepPath(points: readonly CurvePointJson[], s: Scales): string {
  if (points.length === 0) return '';
  const f = (v: number): string => v.toFixed(1);
  let d = `M${f(s.x(0))},${f(s.y(0))}`;
  let prev = 0;
  for (const p of points) {
    d += `H${f(s.x(p.size))}`;
    if (p.hitRatio !== prev) d += `V${f(s.y(p.hitRatio))}`;
    prev = p.hitRatio;
  }
  return d;
}

/** Round tick values from 0 to at least `max`: 1, 2 or 5 × a power of ten, about `count` of them. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((st) => st >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let v = 0; v <= max + step / 2; v += step) out.push(Math.round(v * 1e9) / 1e9);
  return out;
}

/** "12.5 MiB" for a number of pages. */
export function formatPages(pages: number, pageBytes = 4096): string {
  const mib = (pages * pageBytes) / (1 << 20);
  return `${pages.toLocaleString('en-US')} pages (${mib < 10 ? mib.toFixed(1) : Math.round(mib)} MiB)`;
}

/** The largest size among the curves, for a common x scale. */
export function maxSizeOf(curves: readonly (readonly CurvePointJson[])[]): number {
  let m = 0;
  for (const c of curves) for (const p of c) if (p.size > m) m = p.size;
  return m;
}
