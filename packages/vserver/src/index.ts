export { VxError, type VxErrno } from './errors.js';
export {
  RLIM_INFINITY,
  VX_MODELLED,
  VX_RESOURCES,
  VxLimit,
  type VxLimitValues,
  type VxResource,
} from './limit.js';
export { VxContext } from './context.js';
export {
  MIN_D_CONTEXT,
  VServerHost,
  XID_HOST,
  XID_MAX,
  XID_SPECTATOR,
  type VServerHostOptions,
  type VxOomKill,
} from './host.js';
export {
  DEFAULT_SCAN_INTERVAL_MS,
  LIST_OP_CYCLES,
  MARKER_SHIFT_CYCLES,
  type CvhrcCounters,
  type CvhrcOptions,
  type HrcMark,
  type HrcOracle,
  type HrcResult,
} from './tracking.js';
export {
  Watchdog,
  type WatchdogEvent,
  type WatchdogLevel,
  type WatchdogOptions,
  type WatchdogTarget,
} from './watchdog.js';
export {
  PROC_VIRTUAL_FILES,
  procVirtualHrc,
  procVirtualInfo,
  procVirtualLimit,
  procVirtualStatus,
  readProcVirtual,
  type ProcVirtualFile,
} from './proc.js';
export {
  benchTracking,
  loopingWorkload,
  type TrackingBenchOptions,
  type TrackingBenchRow,
} from './bench.js';
