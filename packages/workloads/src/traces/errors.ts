/** Where in a trace a {@link TraceFormatError} was found. */
export interface TraceErrorLocation {
  /** 1-based line number (text formats). */
  readonly line?: number;
  /** 1-based column (field) number (csv). */
  readonly column?: number;
  /** Column name from the csv header, when there is one. */
  readonly columnName?: string;
  /**
   * Byte offset of the bad record (binary formats), counted in the decompressed data
   * when the trace is compressed.
   */
  readonly byteOffset?: number;
  /** True when the trace was compressed and `byteOffset` counts decompressed bytes. */
  readonly decompressed?: boolean;
}

/**
 * A trace that does not follow its format: a malformed line or record, a truncated
 * record, corrupt compressed data. A user error, not a bug: the message names the source,
 * the place (line, column or byte offset) and what was expected, e.g.
 * `trace.txt:17: expected a page number (decimal or 0x-hex), got "12a"`.
 */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
  /** The name of the trace (usually its path) given to the reader as `source`. */
  readonly source: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly columnName: string | undefined;
  readonly byteOffset: number | undefined;
  /** What the reader expected at that place. */
  readonly expected: string;
  /** What it found instead (quoted text, or a description such as "an empty line"). */
  readonly found: string | undefined;

  constructor(
    source: string,
    location: TraceErrorLocation,
    expected: string,
    found?: string,
    options?: { cause?: unknown },
  ) {
    super(formatMessage(source, location, expected, found), options);
    this.source = source;
    this.line = location.line;
    this.column = location.column;
    this.columnName = location.columnName;
    this.byteOffset = location.byteOffset;
    this.expected = expected;
    this.found = found;
  }
}

function formatMessage(
  source: string,
  location: TraceErrorLocation,
  expected: string,
  found: string | undefined,
): string {
  let where = source;
  if (location.line !== undefined) where += `:${location.line}`;
  if (location.column !== undefined) {
    where += `: column ${location.column}`;
    if (location.columnName !== undefined) where += ` (${JSON.stringify(location.columnName)})`;
  }
  if (location.byteOffset !== undefined) {
    where += `: byte offset ${location.byteOffset}`;
    if (location.decompressed === true) where += ' of the decompressed data';
  }
  return `${where}: expected ${expected}${found === undefined ? '' : `, got ${found}`}`;
}

/**
 * The trace format cannot be told from a file name (see `detectTraceFormat`): the caller
 * must name it (the CLI's `--format`).
 */
export class UnknownTraceFormatError extends Error {
  override readonly name = 'UnknownTraceFormatError';
  readonly path: string;

  constructor(path: string, reason: string) {
    super(
      `cannot tell the trace format of ${JSON.stringify(path)}: ${reason}; ` +
        'name it explicitly (--format pages|lackey|csv|vscsi|oracleGeneral)',
    );
    this.path = path;
  }
}
