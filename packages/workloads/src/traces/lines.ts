import { concatBytes, peekBytes } from './chunks.js';
import { TraceFormatError } from './errors.js';
import type { ParseContext } from './page-trace.js';
import { decodeUtf8 } from './web.js';

const LF = 10;

/** A text format's parser. */
export interface LineParser {
  /**
   * Parses the complete lines of `buf[pos, end)` (`buf[end - 1]` is a line feed, so loops
   * may scan for it without bound checks); stops early, at the start of a line, once the
   * batch is full. Returns where it stopped.
   */
  parseLines(buf: Uint8Array, pos: number, end: number): number;
}

/**
 * Runs a {@link LineParser} over byte chunks: lines split across chunks are joined, a last
 * line without a line feed gets one, a UTF-8 byte-order mark at the start is skipped.
 * No string is made per line.
 */
export async function* lineBatches(
  input: AsyncGenerator<Uint8Array>,
  parser: LineParser,
  ctx: ParseContext,
): AsyncGenerator<Float64Array> {
  const { batch, stats } = ctx;
  const { head, chunks } = await peekBytes(input, 3);
  let skip = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const carry: Uint8Array[] = [];
  let carryLength = 0;

  for await (let chunk of chunks) {
    stats.bytesDecoded += chunk.length;
    if (skip > 0) {
      const n = Math.min(skip, chunk.length);
      chunk = chunk.subarray(n);
      skip -= n;
    }
    let pos = 0;
    if (carryLength > 0) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        carry.push(chunk.slice());
        carryLength += chunk.length;
        continue;
      }
      const line = joinCarry(carry, carryLength, chunk.subarray(0, nl + 1));
      carry.length = 0;
      carryLength = 0;
      for (let p = 0; p < line.length; ) {
        p = parser.parseLines(line, p, line.length);
        if (batch.full) yield batch.take();
      }
      pos = nl + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= pos) {
      const end = last + 1;
      while (pos < end) {
        pos = parser.parseLines(chunk, pos, end);
        if (batch.full) yield batch.take();
      }
    }
    if (pos < chunk.length) {
      carry.push(chunk.slice(pos));
      carryLength += chunk.length - pos;
    }
  }
  if (carryLength > 0) {
    const line = joinCarry(carry, carryLength, new Uint8Array([LF]));
    for (let p = 0; p < line.length; ) {
      p = parser.parseLines(line, p, line.length);
      if (batch.full) yield batch.take();
    }
  }
  if (batch.fill > 0) yield batch.take();
}

function joinCarry(parts: Uint8Array[], length: number, tail: Uint8Array): Uint8Array {
  if (parts.length === 1) return concatBytes(parts[0]!, tail);
  const out = new Uint8Array(length + tail.length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(tail, at);
  return out;
}

const MAX_SHOWN = 60;

/** The line that starts at `start`, as quoted text for an error message. */
export function quoteLine(buf: Uint8Array, start: number): string {
  let end = buf.indexOf(LF, start);
  if (end < 0) end = buf.length;
  if (end > start && buf[end - 1] === 13) end--;
  return quoteBytes(buf, start, end);
}

/** `buf[start, end)` as quoted text for an error message (`empty` if empty). */
export function quoteBytes(
  buf: Uint8Array,
  start: number,
  end: number,
  empty = 'an empty line',
): string {
  if (end <= start) return empty;
  const cut = end - start > MAX_SHOWN;
  const text = decodeUtf8(buf.subarray(start, cut ? start + MAX_SHOWN : end));
  return JSON.stringify(text) + (cut ? ' (cut)' : '');
}

/** A {@link TraceFormatError} at a line. */
export function lineError(
  ctx: ParseContext,
  line: number,
  expected: string,
  found: string,
): TraceFormatError {
  return new TraceFormatError(ctx.source, { line }, expected, found);
}
