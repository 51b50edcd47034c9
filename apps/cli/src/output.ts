import { mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

/** Where a command writes: stdout and stderr, injectable for tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (for progress bars). */
  readonly errIsTty: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTty: process.stderr.isTTY,
};

/** Renders rows as an aligned text table; numeric-looking cells are right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^[-+0-9.,e%]+$/i.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n') + '\n';
}

/** The reason of a failed file-system call, in a few words ("permission denied"). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EEXIST':
      return 'exists and is not a directory';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/** {@link fsReason} for a file to be read: a missing one is "no such file". */
export function readReason(e: unknown): string {
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT' ? 'no such file' : fsReason(e);
}

/**
 * Makes directory `dir` and any missing parents, as `mkdir -p` does, or throws a CliError
 * naming it. (Not `mkdirSync`'s recursive mode: under Node 20 it retries for ever where a
 * parent exists but refuses new entries with ENOENT, as /proc does.)
 */
export function makeDirs(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
    throw new CliError(`cannot create directory ${dir}: exists and is not a directory`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CliError(`cannot create directory ${dir}: ${fsReason(e)}`);
    }
  }
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  try {
    mkdirSync(dir);
  } catch (e) {
    throw new CliError(`cannot create directory ${dir}: ${fsReason(e)}`);
  }
}

/**
 * Checks, before a long computation, that a file can be written at `path` later: makes its
 * directory and writes and removes a probe file beside it. Throws a CliError naming the path.
 */
export function checkWritable(path: string): void {
  makeDirs(dirname(path));
  try {
    if (statSync(path).isDirectory()) throw new CliError(`cannot write ${path}: is a directory`);
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
  probe(`${path}.tmp-${process.pid}`, path);
}

/** {@link checkWritable} for a directory that files will be written into. */
export function checkWritableDir(dir: string): void {
  makeDirs(dir);
  probe(join(dir, `.cvhrc-probe-${process.pid}`), dir);
}

function probe(file: string, shown: string): void {
  try {
    writeFileSync(file, '');
    unlinkSync(file);
  } catch (e) {
    throw new CliError(`cannot write ${shown}: ${fsReason(e)}`);
  }
}

/**
 * Writes a file whole or not at all: the text goes to a temporary file beside the target,
 * which is then renamed over it, so a failure never leaves half a file (nor the temporary
 * one). Throws a CliError naming the path.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  makeDirs(dirname(path));
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // It was not written, or is gone already.
    }
    throw new CliError(`cannot write ${path}: ${fsReason(e)}`);
  }
}

/**
 * Checks that `shown` (as the user typed it; `path` resolved) is a file that can be read,
 * or throws a CliError: "cannot read X: no such file".
 */
export function checkReadableFile(path: string, shown: string): number {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new CliError(`cannot read ${shown}: not a file`);
    return st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${shown}: ${readReason(e)}`);
  }
}

/** A rough duration for progress lines: "under a minute", "12 min", "1 h 05 min". */
export function formatDuration(sec: number): string {
  if (!(sec >= 60)) return 'under a minute';
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** Formats a rate such as 123456789 as "123.5 M". */
export function formatRate(perSec: number): string {
  if (perSec >= 1e9) return `${(perSec / 1e9).toFixed(2)} G`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(1)} M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k`;
  return perSec.toFixed(0);
}
