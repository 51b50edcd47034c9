import { writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

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

/**
 * Writes a file whole or not at all: the text goes to a temporary file beside the target,
 * which is then renamed over it, so a failure never leaves half a file.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
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
