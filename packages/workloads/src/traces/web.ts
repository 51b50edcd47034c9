// The few web-standard globals this module uses, typed here so that the main entry needs
// neither the DOM library nor @types/node: it runs in Node 20+ and in browsers alike.

interface WebStreamReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(reason?: unknown): Promise<void>;
  releaseLock(): void;
}

interface WebStreamWriter {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}

export interface WebDecompressionStream {
  readonly readable: { getReader(): WebStreamReader };
  readonly writable: { getWriter(): WebStreamWriter };
}

interface WebTextDecoder {
  decode(input: Uint8Array): string;
}

interface WebGlobals {
  DecompressionStream?: new (format: 'gzip') => WebDecompressionStream;
  TextDecoder?: new (label?: string) => WebTextDecoder;
}

const web = globalThis as unknown as WebGlobals;

export function newGzipDecompressionStream(): WebDecompressionStream {
  const Ctor = web.DecompressionStream;
  if (Ctor === undefined) {
    throw new Error(
      'reading gzip traces needs the DecompressionStream global (Node 18+, browsers)',
    );
  }
  return new Ctor('gzip');
}

let decoder: WebTextDecoder | undefined;

/** Decodes UTF-8 (invalid sequences become U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): string {
  if (decoder === undefined) {
    const Ctor = web.TextDecoder;
    if (Ctor === undefined) {
      // Latin-1 fallback; every platform this runs on has TextDecoder.
      let s = '';
      for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
      return s;
    }
    decoder = new Ctor('utf-8');
  }
  return decoder.decode(bytes);
}
