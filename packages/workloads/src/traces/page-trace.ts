import { PageBatch, checkBatchSize } from './batch.js';
import { byteChunks } from './chunks.js';
import { decompressedChunks } from './decompress.js';
import type {
  ByteChunks,
  CommonTraceOptions,
  PageTrace,
  TraceCompression,
  TraceFormat,
  TraceStats,
} from './types.js';

export type MutableStats = { -readonly [K in keyof TraceStats]: TraceStats[K] };

/** What a format's parser works with. */
export interface ParseContext {
  readonly source: string;
  readonly batch: PageBatch;
  readonly stats: MutableStats;
  /** True when the trace is compressed (byte offsets then count decompressed bytes). */
  decompressed: boolean;
}

/** Turns the decompressed bytes of a trace into batches of page numbers. */
export type FormatParser = (
  chunks: AsyncGenerator<Uint8Array>,
  ctx: ParseContext,
) => AsyncGenerator<Float64Array>;

class PageTraceImpl implements PageTrace {
  readonly format: TraceFormat;
  readonly source: string;
  readonly #stats: MutableStats;
  #start: (() => AsyncGenerator<Float64Array>) | undefined;

  constructor(
    format: TraceFormat,
    source: string,
    stats: MutableStats,
    start: () => AsyncGenerator<Float64Array>,
  ) {
    this.format = format;
    this.source = source;
    this.#stats = stats;
    this.#start = start;
  }

  get stats(): TraceStats {
    return { ...this.#stats };
  }

  [Symbol.asyncIterator](): AsyncIterator<Float64Array> {
    const start = this.#start;
    if (start === undefined) {
      throw new Error(`${this.source}: a trace can be iterated only once; read it again`);
    }
    this.#start = undefined;
    return start();
  }

  collect(): Promise<Float64Array> {
    return collectPages(this);
  }
}

/** Builds the {@link PageTrace} of one format over a byte source. Options are checked by the caller. */
export function createPageTrace(
  format: TraceFormat,
  input: ByteChunks,
  options: CommonTraceOptions,
  parse: FormatParser,
): PageTrace {
  const source = options.source ?? '<trace>';
  const batchSize = checkBatchSize(options.batchSize);
  const reuse = options.reuseBatches ?? false;
  const compression = options.compression ?? 'auto';
  if (!['auto', 'none', 'gzip', 'zstd'].includes(compression)) {
    throw new RangeError(
      `compression must be auto, none, gzip or zstd, got ${String(compression)}`,
    );
  }
  const stats: MutableStats = {
    format,
    source,
    compression: undefined,
    bytesRead: 0,
    bytesDecoded: 0,
    records: 0,
    references: 0,
    excluded: 0,
    otherLines: 0,
    done: false,
  };
  async function* run(): AsyncGenerator<Float64Array> {
    const ctx: ParseContext = {
      source,
      batch: new PageBatch(batchSize, reuse),
      stats,
      decompressed: false,
    };
    const raw = byteChunks(input, (n) => {
      stats.bytesRead += n;
    });
    const decoded = decompressedChunks(raw, compression, source, (c: TraceCompression) => {
      stats.compression = c;
      ctx.decompressed = c !== 'none';
    });
    for await (const batch of parse(decoded, ctx)) {
      stats.references += batch.length;
      yield batch;
    }
    stats.done = true;
  }
  return new PageTraceImpl(format, source, stats, run);
}

/**
 * Reads every batch of a trace into one array (for traces that fit in memory). Works with
 * reused batches too: each is copied before the next is read.
 */
export async function collectPages(batches: AsyncIterable<Float64Array>): Promise<Float64Array> {
  let out = new Float64Array(1 << 16);
  let n = 0;
  for await (const batch of batches) {
    if (n + batch.length > out.length) {
      const bigger = new Float64Array(Math.max(out.length * 2, n + batch.length));
      bigger.set(out.subarray(0, n));
      out = bigger;
    }
    out.set(batch, n);
    n += batch.length;
  }
  return out.slice(0, n);
}
