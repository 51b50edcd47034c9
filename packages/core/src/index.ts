export {
  CurveParseError,
  CurveValidationError,
  CvhrcCoreError,
  InvalidOptionError,
  InvalidPageError,
  TrackerStateError,
} from './errors.js';
export { HitRatioCurve, geometricSizes, meanAbsoluteError } from './hit-ratio-curve.js';
export type { CurvePoint } from './hit-ratio-curve.js';
export { DEFAULT_SLOPE_THRESHOLD, pageNeed } from './page-need.js';
export type { PageNeedMethod, PageNeedOptions } from './page-need.js';
export { ExactLru } from './exact-lru.js';
export type { ExactLruOptions } from './exact-lru.js';
export { GroupHits } from './group-hits.js';
export { CvhrcTracker, DEFAULT_GROUP_SIZE, DEFAULT_SCAN_LIST_SIZE } from './tracker.js';
export type {
  CvhrcTrackerOptions,
  TrackerCounters,
  TrackerPort,
  TrackerSpacePart,
  TrackerSpaceReport,
} from './tracker.js';
export { DEFAULT_SCAN_EVERY, TraceHost, runTrackerOnTrace } from './trace-host.js';
export type { TraceHostOptions } from './trace-host.js';
export { ZipfSampler, createRng } from './random.js';
export type { Rng } from './random.js';
