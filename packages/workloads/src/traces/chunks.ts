import type { ByteChunks, ByteStreamLike } from './types.js';

function isAsyncIterable(x: object): x is AsyncIterable<Uint8Array> {
  return Symbol.asyncIterator in x;
}

function isByteStream(x: object): x is ByteStreamLike {
  return typeof (x as Partial<ByteStreamLike>).getReader === 'function';
}

async function* streamChunks(stream: ByteStreamLike): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value !== undefined) yield value;
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(ignore);
    reader.releaseLock();
  }
}

function ignore(): void {
  // Nothing to do: a failure to cancel or close after an early stop is not the user's problem.
}

/**
 * Turns any {@link ByteChunks} into an async generator of non-empty chunks, counting the
 * bytes into `onBytes`. Checks that chunks are bytes.
 */
export async function* byteChunks(
  input: ByteChunks,
  onBytes: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) {
    onBytes(input.length);
    if (input.length > 0) yield input;
    return;
  }
  if (typeof input !== 'object' || (input as unknown) === null) {
    throw new TypeError('a trace source must be an iterable of Uint8Array chunks or a stream');
  }
  const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = isAsyncIterable(input)
    ? input
    : isByteStream(input)
      ? streamChunks(input)
      : input;
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(
        `a trace source must yield Uint8Array chunks, got ${typeof chunk === 'string' ? 'a string (open the file without an encoding)' : typeof chunk}`,
      );
    }
    onBytes(chunk.length);
    if (chunk.length > 0) yield chunk;
  }
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Reads chunks until at least `n` bytes are in hand (or the input ends), and returns them
 * concatenated as `head` with a generator that yields the same bytes followed by the rest.
 */
export async function peekBytes(
  chunks: AsyncGenerator<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; chunks: AsyncGenerator<Uint8Array> }> {
  const held: Uint8Array[] = [];
  let total = 0;
  while (total < n) {
    const r = await chunks.next();
    if (r.done === true) break;
    held.push(r.value);
    total += r.value.length;
  }
  let head: Uint8Array = new Uint8Array(0);
  for (const c of held) head = concatBytes(head, c);
  return { head, chunks: replay(held, chunks) };
}

async function* replay(
  held: Uint8Array[],
  rest: AsyncGenerator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  try {
    for (const c of held) yield c;
    held.length = 0;
    yield* rest;
  } finally {
    // Close the underlying source even when stopped while replaying the held chunks.
    await rest.return(undefined);
  }
}
