// @cvhrc/workloads — programs that drive the emulated kernel. For now: readers of real
// page-reference traces. Platform-neutral (Node and browsers); file access lives in
// "@cvhrc/workloads/node".

export { TraceFormatError, UnknownTraceFormatError } from './traces/errors.js';
export type { TraceErrorLocation } from './traces/errors.js';
export { TRACE_FORMATS } from './traces/types.js';
export type {
  ByteChunks,
  ByteStreamLike,
  CommonTraceOptions,
  CsvOptions,
  LackeyOptions,
  OracleGeneralOptions,
  PageTrace,
  PagesOptions,
  ReadTraceOptions,
  TraceCompression,
  TraceFormat,
  TraceFormatOptions,
  TraceStats,
  VscsiOptions,
} from './traces/types.js';
export { DEFAULT_BATCH_SIZE } from './traces/batch.js';
export { collectPages } from './traces/page-trace.js';
export { compressionFromMagic } from './traces/decompress.js';
export { detectTraceFormat } from './traces/detect.js';
export { readTrace } from './traces/read-trace.js';
export { readPages } from './traces/pages.js';
export { readLackey } from './traces/lackey.js';
export { readCsv } from './traces/csv.js';
export { readVscsi } from './traces/vscsi.js';
export { readOracleGeneral } from './traces/oracle-general.js';
