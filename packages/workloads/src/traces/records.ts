import { concatBytes } from './chunks.js';
import { TraceFormatError } from './errors.js';
import type { ParseContext } from './page-trace.js';

/** A binary format of fixed-size records. */
export interface RecordParser {
  readonly recordSize: number;
  /** For errors: e.g. "VSCSI v1 record". */
  readonly recordName: string;
  /**
   * Parses the whole records of `buf[pos, end)` (a multiple of `recordSize` bytes); stops
   * early, at a record boundary, once the batch is full. `base` is the offset of `buf[0]`
   * in the (decompressed) trace. Returns where it stopped.
   */
  parseRecords(buf: Uint8Array, view: DataView, pos: number, end: number, base: number): number;
}

/**
 * Runs a {@link RecordParser} over byte chunks: records split across chunks are joined; a
 * truncated last record is an error naming its offset.
 */
export async function* recordBatches(
  chunks: AsyncGenerator<Uint8Array>,
  parser: RecordParser,
  ctx: ParseContext,
): AsyncGenerator<Float64Array> {
  const { batch, stats } = ctx;
  const size = parser.recordSize;
  let carry: Uint8Array | undefined;
  let offset = 0; // of the current chunk in the trace
  for await (const chunk of chunks) {
    stats.bytesDecoded += chunk.length;
    let pos = 0;
    if (carry !== undefined) {
      const need = size - carry.length;
      if (chunk.length < need) {
        carry = concatBytes(carry, chunk);
        offset += chunk.length;
        continue;
      }
      const record = concatBytes(carry, chunk.subarray(0, need));
      const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
      for (let p = 0; p < size; ) {
        p = parser.parseRecords(record, view, p, size, offset - carry.length);
        if (batch.full) yield batch.take();
      }
      carry = undefined;
      pos = need;
    }
    const end = pos + Math.floor((chunk.length - pos) / size) * size;
    if (end > pos) {
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      while (pos < end) {
        pos = parser.parseRecords(chunk, view, pos, end, offset);
        if (batch.full) yield batch.take();
      }
    }
    if (pos < chunk.length) carry = chunk.slice(pos);
    offset += chunk.length;
  }
  if (carry !== undefined) {
    throw new TraceFormatError(
      ctx.source,
      { byteOffset: offset - carry.length, decompressed: ctx.decompressed },
      `a complete ${size}-byte ${parser.recordName}`,
      `${carry.length} bytes at the end (truncated trace?)`,
    );
  }
  if (batch.fill > 0) yield batch.take();
}

/** A {@link TraceFormatError} at a record. */
export function recordError(
  ctx: ParseContext,
  byteOffset: number,
  expected: string,
  found: string,
): TraceFormatError {
  return new TraceFormatError(
    ctx.source,
    { byteOffset, decompressed: ctx.decompressed },
    expected,
    found,
  );
}
