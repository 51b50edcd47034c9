import { UnknownTraceFormatError } from './errors.js';
import type { TraceFormat } from './types.js';

const COMPRESSION_SUFFIXES = ['gz', 'zst', 'zstd'];

const BY_SUFFIX: Readonly<Record<string, TraceFormat>> = {
  txt: 'pages',
  pages: 'pages',
  lackey: 'lackey',
  csv: 'csv',
  vscsi: 'vscsi',
  oraclegeneral: 'oracleGeneral',
};

/**
 * Tells a trace's format from its file name, where the name is unambiguous:
 * `.txt`/`.pages` → pages, `.lackey` → lackey, `.csv` → csv, `.vscsi` → vscsi,
 * `.oracleGeneral` (optionally followed by `.bin`) → oracleGeneral; any of them may end in
 * `.gz`, `.zst` or `.zstd` (compression itself is detected from the bytes). Case is
 * ignored. Throws {@link UnknownTraceFormatError} for any other name.
 */
export function detectTraceFormat(path: string): TraceFormat {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const parts = base.toLowerCase().split('.').slice(1);
  const last = parts.at(-1);
  if (last !== undefined && COMPRESSION_SUFFIXES.includes(last)) parts.pop();
  if (parts.at(-1) === 'bin' && parts.at(-2) === 'oraclegeneral') parts.pop();
  const suffix = parts.at(-1);
  const format = suffix === undefined ? undefined : BY_SUFFIX[suffix];
  if (format === undefined) {
    throw new UnknownTraceFormatError(
      path,
      suffix === undefined
        ? 'the name has no extension'
        : `the extension ".${suffix}" does not name a trace format`,
    );
  }
  return format;
}
