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
export { MIN_D_CONTEXT, VServerHost, XID_HOST, XID_MAX, XID_SPECTATOR } from './host.js';
export {
  PROC_VIRTUAL_FILES,
  procVirtualInfo,
  procVirtualLimit,
  procVirtualStatus,
  readProcVirtual,
  type ProcVirtualFile,
} from './proc.js';
