import type { ContextSnapshot, DemoStart } from './protocol.js';

/** A run of the demo's model, advanced in slices by the worker. */
export interface DemoRun {
  /** Runs one slice of the model (a few tens of milliseconds of host time). */
  advance(): void;
  readonly finished: boolean;
  readonly simSec: number | null;
  readonly references: number | null;
  readonly pageBytes: number;
  snapshot(): ContextSnapshot[];
}

/** Makes a run from a start request; throws an Error naming what was wrong. */
export type DemoRunFactory = (request: DemoStart) => DemoRun;

/** Checks the fields every engine uses; the message names the field. */
export function checkStart(request: DemoStart): void {
  if (!Number.isInteger(request.contexts) || request.contexts < 1 || request.contexts > 4) {
    throw new Error(`demo: contexts must be an integer in 1–4, got ${String(request.contexts)}`);
  }
  if (!Number.isSafeInteger(request.seed)) {
    throw new Error(`demo: seed must be an integer, got ${String(request.seed)}`);
  }
  if (!(request.limit > 0))
    throw new Error(`demo: limit must be > 0, got ${String(request.limit)}`);
}

/** Sizes at which both curves of a context are compared: multiples of `step` up to `max`. */
export function gridSizes(max: number, step: number, maxPoints = 200): number[] {
  const stride = step * Math.max(1, Math.ceil(max / step / maxPoints));
  const out: number[] = [];
  for (let s = stride; s < max + stride; s += stride) out.push(s);
  return out;
}
