import { Decompress } from 'fzstd';
import { peekBytes } from './chunks.js';
import { TraceFormatError } from './errors.js';
import type { TraceCompression } from './types.js';
import { newGzipDecompressionStream } from './web.js';

/** Tells the compression of a trace from its first bytes. */
export function compressionFromMagic(head: Uint8Array): TraceCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length < 4) return 'none';
  const zstdFrame = head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd;
  // A skippable frame (magic 0x184D2A50 … 0x184D2A5F) may come first.
  const skippable =
    (head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18;
  return zstdFrame || skippable ? 'zstd' : 'none';
}

/**
 * Decompresses `chunks` as asked (`'auto'`: by magic bytes) and reports the compression
 * used through `onCompression` before the first decompressed byte.
 */
export async function* decompressedChunks(
  chunks: AsyncGenerator<Uint8Array>,
  compression: 'auto' | TraceCompression,
  source: string,
  onCompression: (c: TraceCompression) => void,
): AsyncGenerator<Uint8Array> {
  const peeked = await peekBytes(chunks, 4);
  const detected = compressionFromMagic(peeked.head);
  const used = compression === 'auto' ? detected : compression;
  onCompression(used);
  if (used !== 'none' && detected !== used && peeked.head.length > 0) {
    await peeked.chunks.return(undefined);
    throw new TraceFormatError(
      source,
      { byteOffset: 0 },
      `${used} data (magic bytes ${used === 'gzip' ? '1f 8b' : '28 b5 2f fd'})`,
      hexBytes(peeked.head),
    );
  }
  if (used === 'gzip') yield* gunzip(peeked.chunks, source);
  else if (used === 'zstd') yield* unzstd(peeked.chunks, source);
  else yield* peeked.chunks;
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function corrupt(source: string, kind: string, error: unknown): TraceFormatError {
  const why = error instanceof Error ? error.message : String(error);
  return new TraceFormatError(source, {}, `valid ${kind} data`, `a decompression error: ${why}`, {
    cause: error,
  });
}

function ignore(): void {
  // Errors of a stream that is being torn down are reported on the reading side.
}

/**
 * gzip through the web-standard DecompressionStream (native zlib in Node; concatenated
 * gzip members are read as one stream there). Input is pumped by a side task, with the
 * stream's backpressure; source errors are passed on unchanged.
 */
async function* gunzip(
  chunks: AsyncGenerator<Uint8Array>,
  source: string,
): AsyncGenerator<Uint8Array> {
  const ds = newGzipDecompressionStream();
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  let sourceError: { error: unknown } | undefined;
  let stop = false;
  const pump = (async () => {
    try {
      for (;;) {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await chunks.next();
        } catch (error) {
          sourceError = { error };
          await writer.abort(error).catch(ignore);
          return;
        }
        if (r.done === true || stop) break;
        await writer.write(r.value);
      }
      if (!stop) await writer.close();
    } catch {
      // The readable side fails with the same error.
    } finally {
      await chunks.return(undefined).catch(ignore);
    }
  })();
  let finished = false;
  try {
    for (;;) {
      let r: { done: boolean; value?: Uint8Array | undefined };
      try {
        r = await reader.read();
      } catch (error) {
        if (sourceError !== undefined) throw sourceError.error;
        throw corrupt(source, 'gzip', error);
      }
      if (r.done) break;
      if (r.value !== undefined && r.value.length > 0) yield r.value;
    }
    finished = true;
  } finally {
    if (!finished) {
      stop = true;
      await reader.cancel().catch(ignore);
    }
    await pump;
  }
}

/** zstd through fzstd (pure JS): every frame of a multi-frame file, skippable frames skipped. */
async function* unzstd(
  chunks: AsyncGenerator<Uint8Array>,
  source: string,
): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const zstd = new Decompress((data) => {
    if (data.length > 0) out.push(data);
  });
  const push = (chunk: Uint8Array, final: boolean): void => {
    try {
      zstd.push(chunk, final);
    } catch (error) {
      throw corrupt(source, 'zstd', error);
    }
  };
  for await (const chunk of chunks) {
    push(chunk, false);
    for (let i = 0; i < out.length; i++) yield out[i]!;
    out.length = 0;
  }
  push(new Uint8Array(0), true);
  for (let i = 0; i < out.length; i++) yield out[i]!;
  out.length = 0;
}
