// @cvhrc/workloads/node — reading traces from files with node:fs streams. Imports the
// main entry by name so that both entries share one copy of it (and of its error classes).

import { createReadStream } from 'node:fs';
import { detectTraceFormat, readTrace } from '@cvhrc/workloads';
import type { PageTrace, TraceFormat, TraceFormatOptions } from '@cvhrc/workloads';

/** Options of {@link readTraceFile}. */
export interface ReadTraceFileOptions extends TraceFormatOptions {
  /** The format; `'auto'` or absent: detected from the file name (`detectTraceFormat`). */
  format?: TraceFormat | 'auto';
  /** Bytes per read from the file (default 1 MiB). */
  chunkSize?: number;
}

const DEFAULT_CHUNK = 1 << 20;

/**
 * The bytes of a file as an async iterable of chunks. The file is opened when iteration
 * starts and closed when it ends, fails or is stopped early.
 */
export function fileChunks(
  path: string,
  options: { chunkSize?: number } = {},
): AsyncIterable<Uint8Array> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
  return {
    async *[Symbol.asyncIterator]() {
      const stream = createReadStream(path, { highWaterMark: chunkSize });
      try {
        for await (const chunk of stream) yield chunk as Uint8Array;
      } finally {
        stream.destroy();
      }
    },
  };
}

/**
 * Reads a trace file: the format from `options.format` or the file name, compression from
 * the magic bytes, errors named by the path (or `options.source`). The file is opened when
 * the returned trace is first iterated.
 */
export function readTraceFile(path: string, options: ReadTraceFileOptions = {}): PageTrace {
  const format =
    options.format === undefined || options.format === 'auto'
      ? detectTraceFormat(path)
      : options.format;
  const chunks =
    options.chunkSize === undefined
      ? fileChunks(path)
      : fileChunks(path, { chunkSize: options.chunkSize });
  return readTrace(chunks, { ...options, format, source: options.source ?? path });
}
