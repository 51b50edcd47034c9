/** The trace formats this module reads. */
export type TraceFormat = 'pages' | 'lackey' | 'csv' | 'vscsi' | 'oracleGeneral';

/** Every {@link TraceFormat}, in a stable order (for help texts and validation). */
export const TRACE_FORMATS: readonly TraceFormat[] = [
  'pages',
  'lackey',
  'csv',
  'vscsi',
  'oracleGeneral',
];

/** How the bytes of a trace are compressed. */
export type TraceCompression = 'none' | 'gzip' | 'zstd';

/**
 * The minimal shape of a WHATWG `ReadableStream` of bytes that the readers accept (for
 * browsers whose streams are not async-iterable yet).
 */
export interface ByteStreamLike {
  getReader(): {
    read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
    cancel(reason?: unknown): Promise<void>;
    releaseLock(): void;
  };
}

/**
 * The bytes of a trace, in chunks of any size: an async or sync iterable of `Uint8Array`
 * (a Node stream, `fileChunks` from `@cvhrc/workloads/node`, an array of buffers), a
 * WHATWG `ReadableStream`, or the whole trace as one `Uint8Array`. A chunk must not be
 * changed after it has been handed over.
 */
export type ByteChunks =
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | ByteStreamLike
  | Uint8Array;

/** Options that every reader takes. */
export interface CommonTraceOptions {
  /** Name of the trace in error messages, usually its path. Default `"<trace>"`. */
  source?: string;
  /**
   * `'auto'` (default) detects gzip (`1f 8b`) and zstd (`28 b5 2f fd`) by their magic
   * bytes; `'none'` reads the bytes as they are; `'gzip'` or `'zstd'` insist on one.
   */
  compression?: 'auto' | TraceCompression;
  /**
   * References per yielded batch (default 65,536). A batch ends at a record boundary, so
   * it may be longer by the references of one record (a lackey access or a vscsi request
   * that covers several pages).
   */
  batchSize?: number;
  /**
   * `false` (default): every yielded batch is a new array that the consumer may keep.
   * `true`: batches are views of one reused buffer, valid only until the iterator is
   * advanced again (saves allocation when each batch is consumed at once).
   */
  reuseBatches?: boolean;
}

/** Options of the `pages` format (one page number per line). */
export type PagesOptions = CommonTraceOptions;

/** Options of the `lackey` format (valgrind `--tool=lackey --trace-mem=yes`). */
export interface LackeyOptions extends CommonTraceOptions {
  /** Page size in bytes, a power of two from 1 to 2^32 (default 4096: page = address >> 12). */
  pageSize?: number;
  /** Include instruction fetches (`I` lines). Default `false`: data references only. */
  instructions?: boolean;
  /**
   * An `M` (modify: load then store of the same bytes by one instruction) line is `'one'`
   * reference per page (default), or `'loadStore'`: a load then a store, two references.
   */
  modify?: 'one' | 'loadStore';
}

/** Options of the `csv` format. */
export interface CsvOptions extends CommonTraceOptions {
  /**
   * Whether the first line is a header. `'auto'` (default): yes if the id field of the
   * first line is not an integer id (with `ids: 'dense'` auto means no header, unless a
   * column is given by name). Naming a column requires a header.
   */
  header?: boolean | 'auto';
  /** Field delimiter, one ASCII character (default `,`; `\t` for TSV). */
  delimiter?: string;
  /** The column of the object id: a 1-based number (default 1) or a header name. */
  idColumn?: number | string;
  /**
   * An optional time column (1-based number or header name): each value must be a
   * number (integer or decimal). Checked, not yet yielded.
   */
  timeColumn?: number | string;
  /**
   * `'integer'` (default): ids must be non-negative integers ≤ 2^53−1, decimal or 0x-hex,
   * used as page numbers. `'dense'`: any id text is renumbered 0, 1, 2, … in order of
   * first appearance (two ids are the same page when their text is the same).
   */
  ids?: 'integer' | 'dense';
}

/** Options of the `vscsi` format (CloudPhysics VSCSI records). */
export interface VscsiOptions extends CommonTraceOptions {
  /**
   * `'none'` (default): one reference per request, to its starting block (the lbn, in
   * 512-byte blocks). `'pages'`: one reference to every page of `pageSize` bytes that
   * the request covers.
   */
  expand?: 'none' | 'pages';
  /** Page size in bytes for `expand: 'pages'`, a positive multiple of 512 (default 4096). */
  pageSize?: number;
  /** Record version: `'auto'` (default, detected from the first records), 1 or 2. */
  vscsiVersion?: 'auto' | 1 | 2;
}

/** Options of the `oracleGeneral` format (libCacheSim binary records). */
export interface OracleGeneralOptions extends CommonTraceOptions {
  /**
   * `'integer'` (default): obj_id is the page number and must be ≤ 2^53−1. `'dense'`:
   * ids are renumbered 0, 1, 2, … in order of first appearance (any 64-bit id).
   */
  ids?: 'integer' | 'dense';
}

/**
 * The options of every format together: a reader ignores those of other formats, so one
 * bag of options (e.g. from command-line flags) can go to any format.
 */
export type TraceFormatOptions = PagesOptions &
  LackeyOptions &
  CsvOptions &
  VscsiOptions &
  OracleGeneralOptions;

/** Options of `readTrace`: the format and its options. */
export interface ReadTraceOptions extends TraceFormatOptions {
  format: TraceFormat;
}

/** What a reader has read so far; final once `done` is true. */
export interface TraceStats {
  readonly format: TraceFormat;
  readonly source: string;
  /** Detected or stated compression; `undefined` until the first bytes are read. */
  readonly compression: TraceCompression | undefined;
  /** Bytes taken from the source (compressed bytes when the trace is compressed). */
  readonly bytesRead: number;
  /** Bytes parsed (after decompression). */
  readonly bytesDecoded: number;
  /** Records read and used: text lines that hold a reference, or binary records. */
  readonly records: number;
  /** Page numbers yielded (a record gives one, or several with lackey and vscsi). */
  readonly references: number;
  /** Records read but left out by an option (lackey `I` lines without `instructions`). */
  readonly excluded: number;
  /** Lines that hold no record: comments, a csv header, valgrind's `==` lines. */
  readonly otherLines: number;
  /** True once the whole trace has been read. */
  readonly done: boolean;
}

/**
 * A trace being read: an async iterable of batches of page numbers (non-negative
 * integers ≤ 2^53−1, one per reference, in trace order). It can be iterated once.
 */
export interface PageTrace extends AsyncIterable<Float64Array> {
  readonly format: TraceFormat;
  /** The name used in error messages. */
  readonly source: string;
  /** A snapshot of what has been read so far; complete after the iteration ends. */
  readonly stats: TraceStats;
  /** Reads the whole trace into one array (for traces that fit in memory). */
  collect(): Promise<Float64Array>;
}
