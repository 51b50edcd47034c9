// @cvhrc/workloads — programs that drive the emulated kernel (lmbench, a kernel compile,
// synthetic patterns, trace replay) and readers of real
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

// Programs for the emulated kernel: the workload registry and its parts.
export {
  checkOptions,
  resolveParams,
  WorkloadParamError,
  type ResolvedParams,
  type WorkloadDefinition,
  type WorkloadInstance,
  type WorkloadOptions,
  type WorkloadParamSpec,
} from './workload.js';
export { getWorkload, WORKLOADS } from './registry.js';
export { SeededRandom, ZipfSampler } from './random.js';
export {
  execImage,
  LD_SO,
  LIBC,
  ProgramClock,
  SH,
  setupSystem,
  type BinarySpec,
  type ExecImageOptions,
} from './system.js';
export {
  loopPattern,
  phasesPattern,
  seqScan,
  uniformPattern,
  zipfPattern,
  type SyntheticBase,
} from './synthetic.js';
export { denseTrace, replayTrace, type ReplayOptions } from './replay.js';
export {
  configRunMb,
  latMemRdRanges,
  latMemRdStep,
  latMemRdStrides,
  memTotalKb,
  parseSize,
  sizeLists,
  type LmbenchConfig,
} from './lmbench/config.js';
export { LmbenchConfigError } from './lmbench/errors.js';
export {
  TRIES,
  LMBENCH_BIN,
  median,
  type BenchmpResult,
  type BenchmpSpec,
} from './lmbench/benchmp.js';
export { BW_MEM_OPS, bwMemSpec, MALLOC_MAX_BYTES, type BwMemOp } from './lmbench/mem.js';
export { OS_COSTS_NS } from './lmbench/os.js';
export {
  DEFAULT_ENOUGH_US,
  DEFAULT_LINE_SIZE,
  FSDIR,
  LmbenchRun,
  type LmbenchOptions,
  type LmbenchSubset,
} from './lmbench/suite.js';
export {
  DEFAULT_TREE,
  makeSourceTree,
  type SourceTree,
  type TreeParams,
  type Unit,
} from './kbuild/tree.js';
export {
  DEFAULT_TOOL_COSTS,
  KBUILD_BINARIES,
  KernelBuild,
  TREE_DIR,
  treePaths,
  type KernelBuildOptions,
  type ToolCosts,
} from './kbuild/make.js';
