import { TraceFormatError } from './errors.js';
import { lineBatches, quoteBytes, quoteLine, type LineParser } from './lines.js';
import { createPageTrace, type ParseContext } from './page-trace.js';
import type { ByteChunks, CsvOptions, PageTrace } from './types.js';
import { decodeUtf8 } from './web.js';

const QUOTE = 34;
const ID_EXPECTED =
  "a non-negative integer id ≤ 2^53−1 (decimal or 0x-hex; ids: 'dense' renumbers any text)";

/**
 * The `csv` text format: one request per line, the object id in one column.
 *
 * - Columns are numbered from 1 or named by the header; the delimiter is one ASCII
 *   character (default `,`).
 * - Fields may be quoted with `"` (a doubled `""` inside is one quote); a quoted field
 *   cannot span lines. Spaces and tabs around a field are ignored.
 * - The last line may lack its line feed; any other empty line is an error.
 * - Ids are non-negative integers ≤ 2^53−1 (decimal or 0x-hex), or any text with
 *   `ids: 'dense'`. A time column, if named, must hold numbers.
 */
export function readCsv(chunks: ByteChunks, options: CsvOptions = {}): PageTrace {
  const settings = csvSettings(options);
  return createPageTrace('csv', chunks, options, (decoded, ctx) =>
    lineBatches(decoded, new CsvParser(ctx, settings), ctx),
  );
}

interface CsvSettings {
  delimiter: number;
  header: boolean | 'auto';
  idColumn: number | string;
  timeColumn: number | string | undefined;
  dense: boolean;
}

function checkColumn(what: string, column: number | string): void {
  if (typeof column === 'number') {
    if (!Number.isInteger(column) || column < 1) {
      throw new RangeError(`csv ${what} must be a 1-based column number or a name, got ${column}`);
    }
  } else if (typeof column !== 'string' || column.length === 0) {
    throw new RangeError(`csv ${what} must be a 1-based column number or a name`);
  }
}

function csvSettings(options: CsvOptions): CsvSettings {
  const delimiter = options.delimiter ?? ',';
  const code = delimiter.charCodeAt(0);
  if (delimiter.length !== 1 || code > 127 || code === 10 || code === 13 || code === QUOTE) {
    throw new RangeError(
      `csv delimiter must be one ASCII character other than a quote or line break, got ${JSON.stringify(delimiter)}`,
    );
  }
  const idColumn = options.idColumn ?? 1;
  checkColumn('idColumn', idColumn);
  const timeColumn = options.timeColumn;
  if (timeColumn !== undefined) checkColumn('timeColumn', timeColumn);
  const ids = options.ids ?? 'integer';
  if (ids !== 'integer' && ids !== 'dense') {
    throw new RangeError(`csv ids must be 'integer' or 'dense', got ${String(ids)}`);
  }
  const named = typeof idColumn === 'string' || typeof timeColumn === 'string';
  let header = options.header ?? 'auto';
  if (header !== true && header !== false && header !== 'auto') {
    throw new RangeError(`csv header must be true, false or 'auto', got ${String(header)}`);
  }
  if (named) {
    if (header === false) throw new RangeError('csv columns given by name need a header line');
    header = true;
  } else if (header === 'auto' && ids === 'dense') {
    header = false;
  }
  return { delimiter: code, header, idColumn, timeColumn, dense: ids === 'dense' };
}

class CsvParser implements LineParser {
  readonly #ctx: ParseContext;
  readonly #delimiter: number;
  readonly #dense: boolean;
  #header: boolean | 'auto';
  #idColumn: number | string;
  #timeColumn: number | string | undefined;
  /** 0-based indexes, once the header (if any) is read. */
  #id = -1;
  #time = -1;
  #need = 0;
  #names: string[] | undefined;
  #line = 0;
  readonly #denseIds = new Map<string, number>();
  // Field bounds of the current line (content only, without quotes).
  #starts = new Int32Array(16);
  #ends = new Int32Array(16);
  #quoted = new Uint8Array(16);

  constructor(ctx: ParseContext, settings: CsvSettings) {
    this.#ctx = ctx;
    this.#delimiter = settings.delimiter;
    this.#dense = settings.dense;
    this.#header = settings.header;
    this.#idColumn = settings.idColumn;
    this.#timeColumn = settings.timeColumn;
    if (typeof settings.idColumn === 'number' && typeof settings.timeColumn !== 'string') {
      this.#resolveColumns(undefined);
    }
  }

  parseLines(buf: Uint8Array, pos: number, end: number): number {
    const batch = this.#ctx.batch;
    const stats = this.#ctx.stats;
    while (pos < end && batch.fill < batch.limit) {
      const line = ++this.#line;
      const nl = buf.indexOf(10, pos);
      let lineEnd = nl;
      if (lineEnd > pos && buf[lineEnd - 1] === 13) lineEnd--;
      if (lineEnd === pos) {
        throw new TraceFormatError(this.#ctx.source, { line }, 'a csv record', 'an empty line');
      }
      if (line === 1 && this.#header !== false) {
        const isHeader = this.#header === true || !this.#firstLineIsData(buf, pos, lineEnd);
        this.#header = false;
        if (isHeader) {
          this.#readHeader(buf, pos, lineEnd);
          stats.otherLines++;
          pos = nl + 1;
          continue;
        }
      }
      const fields = this.#split(buf, pos, lineEnd, this.#need, line);
      if (fields < this.#need) {
        throw new TraceFormatError(
          this.#ctx.source,
          { line },
          `at least ${this.#need} fields`,
          `${fields}: ${quoteLine(buf, pos)}`,
        );
      }
      const id = this.#id;
      const s = this.#starts[id]!;
      const e = this.#ends[id]!;
      let page: number;
      if (this.#dense) {
        const key = this.#text(buf, id);
        const known = this.#denseIds.get(key);
        if (known === undefined) {
          page = this.#denseIds.size;
          this.#denseIds.set(key, page);
        } else {
          page = known;
        }
      } else {
        page = this.#quoted[id] === 2 ? -1 : parseId(buf, s, e);
        if (page < 0)
          throw this.#fieldError(line, id, ID_EXPECTED, quoteBytes(buf, s, e, 'an empty field'));
      }
      if (this.#time >= 0) {
        const text = this.#text(buf, this.#time).trim();
        if (text.length === 0 || !Number.isFinite(Number(text))) {
          throw this.#fieldError(
            line,
            this.#time,
            'a time (a number)',
            quoteBytes(buf, this.#starts[this.#time]!, this.#ends[this.#time]!, 'an empty field'),
          );
        }
      }
      batch.out[batch.fill++] = page;
      stats.records++;
      pos = nl + 1;
    }
    return pos;
  }

  /** Header 'auto': the first line is data if its id field is an integer id. */
  #firstLineIsData(buf: Uint8Array, start: number, end: number): boolean {
    const idIndex = (this.#idColumn as number) - 1;
    const fields = this.#split(buf, start, end, idIndex + 1, 1);
    return (
      fields > idIndex &&
      this.#quoted[idIndex] !== 2 &&
      parseId(buf, this.#starts[idIndex]!, this.#ends[idIndex]!) >= 0
    );
  }

  #readHeader(buf: Uint8Array, start: number, end: number): void {
    const n = this.#split(buf, start, end, Infinity, 1);
    const names: string[] = [];
    for (let i = 0; i < n; i++) names.push(this.#text(buf, i).trim());
    this.#resolveColumns(names);
  }

  #resolveColumns(names: string[] | undefined): void {
    this.#names = names;
    const index = (what: string, column: number | string): number => {
      if (typeof column === 'number') return column - 1;
      const i = names?.indexOf(column) ?? -1;
      if (i < 0) {
        throw new TraceFormatError(
          this.#ctx.source,
          { line: 1 },
          `a header with a column named ${JSON.stringify(column)} (the ${what})`,
          `the columns ${names?.map((n) => JSON.stringify(n)).join(', ') ?? '(none)'}`,
        );
      }
      return i;
    };
    this.#id = index('id column', this.#idColumn);
    this.#time = this.#timeColumn === undefined ? -1 : index('time column', this.#timeColumn);
    this.#need = Math.max(this.#id, this.#time) + 1;
    this.#idColumn = this.#id + 1;
    if (this.#timeColumn !== undefined) this.#timeColumn = this.#time + 1;
  }

  /**
   * Finds the bounds of the first `max` fields of `buf[start, end)`, trimmed of spaces and
   * tabs and of their quotes; returns how many it found. `#quoted[i]` is 1 for a quoted
   * field, 2 for one with doubled quotes inside.
   */
  #split(buf: Uint8Array, start: number, end: number, max: number, line: number): number {
    const delimiter = this.#delimiter;
    let n = 0;
    let p = start;
    for (;;) {
      if (n >= max) return n;
      if (n === this.#starts.length) this.#grow();
      while (p < end && (buf[p] === 32 || buf[p] === 9) && buf[p] !== delimiter) p++;
      let s = p;
      let e: number;
      let quoted = 0;
      if (p < end && buf[p] === QUOTE) {
        quoted = 1;
        s = ++p;
        for (;;) {
          if (p >= end) {
            throw new TraceFormatError(
              this.#ctx.source,
              { line, column: n + 1 },
              'a closing quote on the same line',
              quoteLine(buf, start),
            );
          }
          if (buf[p] === QUOTE) {
            if (p + 1 < end && buf[p + 1] === QUOTE) {
              quoted = 2;
              p += 2;
              continue;
            }
            break;
          }
          p++;
        }
        e = p++;
        while (p < end && (buf[p] === 32 || buf[p] === 9) && buf[p] !== delimiter) p++;
        if (p < end && buf[p] !== delimiter) {
          throw new TraceFormatError(
            this.#ctx.source,
            { line, column: n + 1 },
            'a delimiter after a closing quote',
            quoteLine(buf, start),
          );
        }
      } else {
        while (p < end && buf[p] !== delimiter) p++;
        e = p;
        while (e > s && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
      }
      this.#starts[n] = s;
      this.#ends[n] = e;
      this.#quoted[n] = quoted;
      n++;
      if (p >= end) return n;
      p++; // the delimiter
    }
  }

  #grow(): void {
    const size = this.#starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const quoted = new Uint8Array(size);
    starts.set(this.#starts);
    ends.set(this.#ends);
    quoted.set(this.#quoted);
    this.#starts = starts;
    this.#ends = ends;
    this.#quoted = quoted;
  }

  /** The text of field `i` of the current line (quotes undone). */
  #text(buf: Uint8Array, i: number): string {
    const text = decodeUtf8(buf.subarray(this.#starts[i], this.#ends[i]));
    return this.#quoted[i] === 2 ? text.replaceAll('""', '"') : text;
  }

  #fieldError(line: number, field: number, expected: string, found: string): TraceFormatError {
    const name = this.#names?.[field];
    return new TraceFormatError(
      this.#ctx.source,
      name === undefined
        ? { line, column: field + 1 }
        : { line, column: field + 1, columnName: name },
      expected,
      found,
    );
  }
}

/** A non-negative integer id (decimal or 0x-hex, ≤ 2^53−1) in `buf[s, e)`, or -1. */
function parseId(buf: Uint8Array, s: number, e: number): number {
  if (s >= e) return -1;
  let v = 0;
  if (e - s > 2 && buf[s] === 48 && (buf[s + 1]! | 32) === 120) {
    for (let p = s + 2; p < e; p++) {
      const c = buf[p]!;
      let d = c - 48;
      if (d >>> 0 > 9) {
        d = (c | 32) - 87;
        if (d < 10 || d > 15) return -1;
      }
      v = v * 16 + d;
    }
  } else {
    for (let p = s; p < e; p++) {
      const d = buf[p]! - 48;
      if (d >>> 0 > 9) return -1;
      v = v * 10 + d;
    }
  }
  return v > Number.MAX_SAFE_INTEGER ? -1 : v;
}
