import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { TraceFormatError, type PageTrace } from '@cvhrc/workloads';

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** `bytes` cut into chunks of `size` bytes, as an async iterable. */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    await Promise.resolve();
    yield bytes.slice(i, i + size);
  }
}

/** Chunk sizes that put boundaries everywhere, and the whole input at once. */
export const CHUNK_SIZES = [1, 2, 3, 5, 7, 64, 1 << 20];

export async function pagesOf(trace: PageTrace): Promise<number[]> {
  return Array.from(await trace.collect());
}

/** Runs `read` and expects a TraceFormatError; returns it. */
export async function formatError(trace: PageTrace): Promise<TraceFormatError> {
  try {
    await trace.collect();
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFormatError);
    return error as TraceFormatError;
  }
  throw new Error('expected a TraceFormatError, but the trace was read');
}

/** A temporary directory, removed by the returned function. */
export function tempDir(): {
  dir: string;
  write(name: string, data: Uint8Array | string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'cvhrc-traces-'));
  return {
    dir,
    write(name, data) {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** VSCSI v1 records (32 bytes each). */
export function vscsiV1(
  records: { lbn: number | bigint; len?: number; cmd?: number; ver?: number }[],
): Uint8Array {
  const out = new Uint8Array(records.length * 32);
  const view = new DataView(out.buffer);
  records.forEach((r, i) => {
    const at = i * 32;
    view.setUint32(at, i + 1, true); // sn
    view.setUint32(at + 4, r.len ?? 512, true);
    view.setUint32(at + 8, 1, true); // nSG
    view.setUint16(at + 12, r.cmd ?? 0x28, true);
    view.setUint16(at + 14, r.ver ?? 0x0100, true);
    view.setBigUint64(at + 16, BigInt(r.lbn), true);
    view.setBigUint64(at + 24, BigInt(1_000_000 * (i + 1)), true);
  });
  return out;
}

/** VSCSI v2 records (40 bytes each). */
export function vscsiV2(
  records: { lbn: number | bigint; len?: number; ver?: number }[],
): Uint8Array {
  const out = new Uint8Array(records.length * 40);
  const view = new DataView(out.buffer);
  records.forEach((r, i) => {
    const at = i * 40;
    view.setUint16(at, 0x2a, true); // cmd
    view.setUint16(at + 2, r.ver ?? 0x0200, true);
    view.setUint32(at + 4, i + 1, true); // sn
    view.setUint32(at + 8, r.len ?? 512, true);
    view.setUint32(at + 12, 1, true); // nSG
    view.setBigUint64(at + 16, BigInt(r.lbn), true);
    view.setBigUint64(at + 24, BigInt(1000 * (i + 1)), true);
    view.setBigUint64(at + 32, 77n, true); // rt
  });
  return out;
}

/** oracleGeneral records (24 bytes each, packed). */
export function oracleGeneral(ids: (number | bigint)[]): Uint8Array {
  const out = new Uint8Array(ids.length * 24);
  const view = new DataView(out.buffer);
  ids.forEach((id, i) => {
    const at = i * 24;
    view.setUint32(at, i, true);
    view.setBigUint64(at + 4, BigInt(id), true);
    view.setUint32(at + 12, 4096, true);
    view.setBigInt64(at + 16, -1n, true);
  });
  return out;
}
