import { peekBytes } from './chunks.js';
import { TraceFormatError } from './errors.js';
import { createPageTrace, type ParseContext } from './page-trace.js';
import { recordBatches, recordError, type RecordParser } from './records.js';
import type { ByteChunks, PageTrace, VscsiOptions } from './types.js';

const TWO_32 = 4294967296;
const BLOCK = 512;

/**
 * Record layouts (little-endian, from libCacheSim's vscsi reader):
 * - v1, 32 bytes: u32 sn, u32 len, u32 nSG, u16 cmd, u16 ver, u64 lbn, u64 ts.
 * - v2, 40 bytes: u16 cmd, u16 ver, u32 sn, u32 len, u32 nSG, u64 lbn, u64 ts, u64 rt.
 * The high byte of `ver` is the version.
 */
const LAYOUTS = {
  1: { size: 32, versionByte: 15, len: 4, lbn: 16 },
  2: { size: 40, versionByte: 3, len: 8, lbn: 16 },
} as const;

/**
 * The `vscsi` binary format: CloudPhysics VMware virtual-SCSI traces (as used in SHARDS),
 * version 1 (32-byte records) or 2 (40-byte records), detected from the first two records
 * like libCacheSim does.
 *
 * - Default (`expand: 'none'`): one reference per request, to its starting block (`lbn`,
 *   in 512-byte blocks); the request length is ignored.
 * - `expand: 'pages'`: one reference to every `pageSize` page the request covers, from
 *   floor(lbn·512 / pageSize) to floor((lbn·512 + len − 1) / pageSize); a zero-length
 *   request references its starting page.
 * - Every record's version byte is checked; a truncated last record is an error.
 */
export function readVscsi(chunks: ByteChunks, options: VscsiOptions = {}): PageTrace {
  const expand = options.expand ?? 'none';
  if (expand !== 'none' && expand !== 'pages') {
    throw new RangeError(`vscsi expand must be 'none' or 'pages', got ${String(expand)}`);
  }
  const pageSize = options.pageSize ?? 4096;
  if (
    !Number.isInteger(pageSize) ||
    pageSize < BLOCK ||
    pageSize % BLOCK !== 0 ||
    pageSize > 2 ** 40
  ) {
    throw new RangeError(`vscsi pageSize must be a positive multiple of 512, got ${pageSize}`);
  }
  const version = options.vscsiVersion ?? 'auto';
  if (version !== 'auto' && version !== 1 && version !== 2) {
    throw new RangeError(`vscsiVersion must be 'auto', 1 or 2, got ${String(version)}`);
  }
  return createPageTrace('vscsi', chunks, options, async function* (decoded, ctx) {
    let input = decoded;
    let v: 1 | 2;
    if (version === 'auto') {
      const peeked = await peekBytes(decoded, 2 * LAYOUTS[2].size);
      input = peeked.chunks;
      v = detectVersion(peeked.head, ctx);
    } else {
      v = version;
    }
    yield* recordBatches(input, new VscsiParser(ctx, v, expand === 'pages', pageSize), ctx);
  });
}

function detectVersion(head: Uint8Array, ctx: ParseContext): 1 | 2 {
  const looksLike = (v: 1 | 2): boolean => {
    const { size, versionByte } = LAYOUTS[v];
    const records = Math.min(2, Math.floor(head.length / size));
    if (records === 0) return false;
    for (let r = 0; r < records; r++) if (head[r * size + versionByte] !== v) return false;
    return true;
  };
  if (head.length === 0 || looksLike(2)) return head.length === 0 ? 1 : 2;
  if (looksLike(1)) return 1;
  throw new TraceFormatError(
    ctx.source,
    { byteOffset: 0, decompressed: ctx.decompressed },
    'VSCSI records of version 1 (32 bytes, version byte at offset 15) or 2 (40 bytes, at offset 3)',
    head.length < LAYOUTS[1].size
      ? `only ${head.length} bytes`
      : `version bytes ${head[15]} (v1) and ${head[3]} (v2)`,
  );
}

class VscsiParser implements RecordParser {
  readonly recordSize: number;
  readonly recordName: string;
  readonly #ctx: ParseContext;
  readonly #version: 1 | 2;
  readonly #versionByte: number;
  readonly #len: number;
  readonly #lbn: number;
  readonly #expand: boolean;
  readonly #pageSize: number;
  readonly #blocksPerPage: number;

  constructor(ctx: ParseContext, version: 1 | 2, expand: boolean, pageSize: number) {
    const layout = LAYOUTS[version];
    this.#ctx = ctx;
    this.#version = version;
    this.recordSize = layout.size;
    this.recordName = `VSCSI v${version} record`;
    this.#versionByte = layout.versionByte;
    this.#len = layout.len;
    this.#lbn = layout.lbn;
    this.#expand = expand;
    this.#pageSize = pageSize;
    this.#blocksPerPage = pageSize / BLOCK;
  }

  parseRecords(buf: Uint8Array, view: DataView, pos: number, end: number, base: number): number {
    const batch = this.#ctx.batch;
    const size = this.recordSize;
    const version = this.#version;
    const versionByte = this.#versionByte;
    const lbnAt = this.#lbn;
    const start = pos;
    if (!this.#expand) {
      const out = batch.out;
      const limit = batch.limit;
      let fill = batch.fill;
      for (; pos < end && fill < limit; pos += size) {
        const hi = view.getUint32(pos + lbnAt + 4, true);
        if (buf[pos + versionByte] !== version || hi > 0x1fffff)
          throw this.#fail(buf, view, pos, base);
        out[fill++] = hi * TWO_32 + view.getUint32(pos + lbnAt, true);
      }
      batch.fill = fill;
    } else {
      const pageSize = this.#pageSize;
      const blocksPerPage = this.#blocksPerPage;
      const lenAt = this.#len;
      for (; pos < end && batch.fill < batch.limit; pos += size) {
        const hi = view.getUint32(pos + lbnAt + 4, true);
        if (buf[pos + versionByte] !== version || hi > 0x1fffff)
          throw this.#fail(buf, view, pos, base);
        const lbn = hi * TWO_32 + view.getUint32(pos + lbnAt, true);
        const len = view.getUint32(pos + lenAt, true);
        const first = Math.floor(lbn / blocksPerPage);
        const within = (lbn - first * blocksPerPage) * BLOCK;
        const count = len === 0 ? 1 : Math.floor((within + len - 1) / pageSize) + 1;
        batch.ensure(count);
        const out = batch.out;
        let fill = batch.fill;
        for (let k = 0; k < count; k++) out[fill++] = first + k;
        batch.fill = fill;
      }
    }
    this.#ctx.stats.records += (pos - start) / size;
    return pos;
  }

  #fail(buf: Uint8Array, view: DataView, pos: number, base: number): Error {
    const ver = view.getUint16(pos + this.#versionByte - 1, true);
    if (buf[pos + this.#versionByte] !== this.#version) {
      return recordError(
        this.#ctx,
        base + pos,
        `a VSCSI v${this.#version} record (ver >> 8 == ${this.#version})`,
        `ver = 0x${ver.toString(16).padStart(4, '0')}`,
      );
    }
    const lbn = view.getBigUint64(pos + this.#lbn, true);
    return recordError(this.#ctx, base + pos, 'an lbn ≤ 2^53−1', `lbn = ${lbn}`);
  }
}
