import { lineBatches, lineError, quoteLine, type LineParser } from './lines.js';
import { createPageTrace, type ParseContext } from './page-trace.js';
import type { ByteChunks, PageTrace, PagesOptions } from './types.js';

const MAX_PAGE = Number.MAX_SAFE_INTEGER;
const EXPECTED = 'a page number (decimal or 0x-hex)';

/**
 * The `pages` text format: one page number per line, decimal or `0x`-hex, optionally
 * gzip- or zstd-compressed.
 *
 * - Spaces and tabs around the number are allowed; so are CRLF line ends.
 * - `#` starts a comment, on a line of its own or after the number.
 * - The last line may lack its line feed. Any other empty line is an error: a record is
 *   never skipped silently.
 * - Numbers must be non-negative integers ≤ 2^53−1.
 */
export function readPages(chunks: ByteChunks, options: PagesOptions = {}): PageTrace {
  return createPageTrace('pages', chunks, options, (decoded, ctx) =>
    lineBatches(decoded, new PagesParser(ctx), ctx),
  );
}

class PagesParser implements LineParser {
  readonly #ctx: ParseContext;
  #line = 0;

  constructor(ctx: ParseContext) {
    this.#ctx = ctx;
  }

  parseLines(buf: Uint8Array, pos: number, end: number): number {
    const batch = this.#ctx.batch;
    const out = batch.out;
    const limit = batch.limit;
    let fill = batch.fill;
    let line = this.#line;
    let comments = 0;
    const first = fill;
    while (pos < end && fill < limit) {
      line++;
      let p = pos;
      let c = buf[p]!;
      while (c === 32 || c === 9) c = buf[++p]!;
      let v = 0;
      const start = p;
      if (c === 48 && (buf[p + 1]! | 32) === 120) {
        p += 2;
        for (;;) {
          c = buf[p]!;
          let d = c - 48;
          if (d >>> 0 > 9) {
            d = (c | 32) - 87;
            if (d < 10 || d > 15) break;
          }
          v = v * 16 + d;
          p++;
        }
        if (p === start + 2) throw this.#fail(buf, pos, line);
      } else {
        let d = c - 48;
        while (d >>> 0 <= 9) {
          v = v * 10 + d;
          d = buf[++p]! - 48;
        }
        if (p === start) {
          if (c !== 35) throw this.#fail(buf, pos, line);
          // A comment line.
          pos = buf.indexOf(10, p) + 1;
          comments++;
          continue;
        }
        c = d + 48;
      }
      if (c !== 10) {
        while (c === 32 || c === 9) c = buf[++p]!;
        if (c === 35) p = buf.indexOf(10, p);
        else if (c === 13 && buf[p + 1] === 10) p++;
        else if (c !== 10) throw this.#fail(buf, pos, line);
      }
      if (v > MAX_PAGE) {
        throw lineError(this.#ctx, line, `${EXPECTED} ≤ 2^53−1`, quoteLine(buf, pos));
      }
      out[fill++] = v;
      pos = p + 1;
    }
    const stats = this.#ctx.stats;
    stats.records += fill - first;
    stats.otherLines += comments;
    batch.fill = fill;
    this.#line = line;
    return pos;
  }

  #fail(buf: Uint8Array, lineStart: number, line: number): Error {
    return lineError(this.#ctx, line, EXPECTED, quoteLine(buf, lineStart));
  }
}
