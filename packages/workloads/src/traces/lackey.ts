import { lineBatches, lineError, quoteLine, type LineParser } from './lines.js';
import { createPageTrace, type ParseContext } from './page-trace.js';
import type { ByteChunks, LackeyOptions, PageTrace } from './types.js';

const TWO_32 = 4294967296;
const MAX_ACCESS_SIZE = 1 << 20;
const EXPECTED =
  'a lackey record like "I  04000000,3" or " L 04222cac,8" (I, L, S or M, hex address, size)';

const I = 73;
const L = 76;
const S = 83;
const M = 77;

/**
 * The `lackey` text format: the output of valgrind `--tool=lackey --trace-mem=yes`.
 *
 * - `I` (instruction fetch), `L` (load), `S` (store), `M` (modify) lines, each with a hex
 *   address and a decimal size in bytes. The reference is to page = address / pageSize.
 * - An access that straddles pages touches each of them, in address order.
 * - `I` lines count only with `instructions: true`; `M` is one reference per page, or a
 *   load then a store with `modify: 'loadStore'`.
 * - valgrind's own lines (starting `==`) are skipped and counted in `otherLines`;
 *   anything else is an error naming the line.
 */
export function readLackey(chunks: ByteChunks, options: LackeyOptions = {}): PageTrace {
  const pageSize = options.pageSize ?? 4096;
  const shift = Math.log2(pageSize);
  if (!Number.isInteger(shift) || shift < 0 || shift > 32) {
    throw new RangeError(`lackey pageSize must be a power of two from 1 to 2^32, got ${pageSize}`);
  }
  const modify = options.modify ?? 'one';
  if (modify !== 'one' && modify !== 'loadStore') {
    throw new RangeError(`lackey modify must be 'one' or 'loadStore', got ${String(modify)}`);
  }
  const settings: LackeySettings = {
    pageSize,
    instructions: options.instructions ?? false,
    modifyTwice: modify === 'loadStore',
  };
  return createPageTrace('lackey', chunks, options, (decoded, ctx) =>
    lineBatches(decoded, new LackeyParser(ctx, settings), ctx),
  );
}

interface LackeySettings {
  pageSize: number;
  instructions: boolean;
  modifyTwice: boolean;
}

class LackeyParser implements LineParser {
  readonly #ctx: ParseContext;
  readonly #pageSize: number;
  /** Pages per 2^32 bytes: the weight of the high word of an address. */
  readonly #hiWeight: number;
  readonly #instructions: boolean;
  readonly #modifyTwice: boolean;
  #line = 0;

  constructor(ctx: ParseContext, settings: LackeySettings) {
    this.#ctx = ctx;
    this.#pageSize = settings.pageSize;
    this.#hiWeight = TWO_32 / settings.pageSize;
    this.#instructions = settings.instructions;
    this.#modifyTwice = settings.modifyTwice;
  }

  parseLines(buf: Uint8Array, pos: number, end: number): number {
    const batch = this.#ctx.batch;
    const stats = this.#ctx.stats;
    const pageSize = this.#pageSize;
    const hiWeight = this.#hiWeight;
    let line = this.#line;
    while (pos < end && batch.fill < batch.limit) {
      line++;
      const lineStart = pos;
      let p = pos;
      let c = buf[p]!;
      if (c === 61 && buf[p + 1] === 61) {
        // valgrind's "==pid== ..." lines.
        pos = buf.indexOf(10, p) + 1;
        stats.otherLines++;
        continue;
      }
      while (c === 32) c = buf[++p]!;
      const kind = c;
      if ((kind !== I && kind !== L && kind !== S && kind !== M) || buf[p + 1] !== 32) {
        throw this.#fail(buf, pos, line);
      }
      p++;
      c = buf[p]!;
      while (c === 32) c = buf[++p]!;
      // The address as two 32-bit halves, so that 64-bit addresses stay exact.
      let hi = 0;
      let lo = 0;
      const digits = p;
      for (;;) {
        let d = c - 48;
        if (d >>> 0 > 9) {
          d = (c | 32) - 87;
          if (d < 10 || d > 15) break;
        }
        hi = hi * 16 + (lo >>> 28);
        lo = ((lo << 4) | d) >>> 0;
        c = buf[++p]!;
      }
      if (p === digits || c !== 44 || hi >= TWO_32) throw this.#fail(buf, pos, line);
      c = buf[++p]!;
      let size = 0;
      const sizeDigits = p;
      let d = c - 48;
      while (d >>> 0 <= 9) {
        size = size * 10 + d;
        d = buf[++p]! - 48;
      }
      c = d + 48;
      if (p === sizeDigits) throw this.#fail(buf, pos, line);
      while (c === 32) c = buf[++p]!;
      if (c === 13 && buf[p + 1] === 10) c = buf[++p]!;
      if (c !== 10) throw this.#fail(buf, pos, line);
      if (size === 0 || size > MAX_ACCESS_SIZE) {
        throw lineError(
          this.#ctx,
          line,
          `an access size from 1 to ${MAX_ACCESS_SIZE} bytes`,
          quoteLine(buf, pos),
        );
      }
      pos = p + 1;
      if (kind === I && !this.#instructions) {
        stats.excluded++;
        continue;
      }
      stats.records++;
      // First and last byte of the access.
      const firstPage = hi * hiWeight + Math.floor(lo / pageSize);
      let loEnd = lo + size - 1;
      let hiEnd = hi;
      if (loEnd >= TWO_32) {
        loEnd -= TWO_32;
        hiEnd++;
      }
      const lastPage = hiEnd * hiWeight + Math.floor(loEnd / pageSize);
      if (hiEnd >= TWO_32 || lastPage > Number.MAX_SAFE_INTEGER) {
        throw lineError(
          this.#ctx,
          line,
          `an access whose pages are numbered ≤ 2^53−1 (page size ${pageSize})`,
          quoteLine(buf, lineStart),
        );
      }
      const times = kind === M && this.#modifyTwice ? 2 : 1;
      if (firstPage === lastPage && times === 1) {
        batch.out[batch.fill++] = firstPage;
        continue;
      }
      batch.ensure((lastPage - firstPage + 1) * times);
      const out = batch.out;
      let fill = batch.fill;
      for (let t = 0; t < times; t++) {
        for (let page = firstPage; page <= lastPage; page++) out[fill++] = page;
      }
      batch.fill = fill;
    }
    this.#line = line;
    return pos;
  }

  #fail(buf: Uint8Array, lineStart: number, line: number): Error {
    return lineError(this.#ctx, line, EXPECTED, quoteLine(buf, lineStart));
  }
}
