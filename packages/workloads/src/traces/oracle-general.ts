import { createPageTrace, type ParseContext } from './page-trace.js';
import { recordBatches, recordError, type RecordParser } from './records.js';
import type { ByteChunks, OracleGeneralOptions, PageTrace } from './types.js';

const TWO_32 = 4294967296;
const RECORD = 24;

/**
 * The `oracleGeneral` binary format of libCacheSim: packed little-endian 24-byte records
 * `{u32 clock_time; u64 obj_id; u32 obj_size; i64 next_access_vtime}`, plain or
 * zstd-compressed (as libCacheSim publishes them, `.oracleGeneral.zst`).
 *
 * One reference per record, to obj_id: it must be ≤ 2^53−1, unless `ids: 'dense'`
 * renumbers ids 0, 1, 2, … in order of first appearance.
 */
export function readOracleGeneral(
  chunks: ByteChunks,
  options: OracleGeneralOptions = {},
): PageTrace {
  const ids = options.ids ?? 'integer';
  if (ids !== 'integer' && ids !== 'dense') {
    throw new RangeError(`oracleGeneral ids must be 'integer' or 'dense', got ${String(ids)}`);
  }
  return createPageTrace('oracleGeneral', chunks, options, (decoded, ctx) =>
    recordBatches(decoded, new OracleGeneralParser(ctx, ids === 'dense'), ctx),
  );
}

class OracleGeneralParser implements RecordParser {
  readonly recordSize = RECORD;
  readonly recordName = 'oracleGeneral record';
  readonly #ctx: ParseContext;
  readonly #dense: boolean;
  readonly #ids = new Map<number, number>();
  /** Ids above 2^53−1 (dense mode only), keyed by their decimal text. */
  readonly #bigIds = new Map<string, number>();

  constructor(ctx: ParseContext, dense: boolean) {
    this.#ctx = ctx;
    this.#dense = dense;
  }

  parseRecords(_buf: Uint8Array, view: DataView, pos: number, end: number, base: number): number {
    const batch = this.#ctx.batch;
    const out = batch.out;
    const limit = batch.limit;
    let fill = batch.fill;
    const start = pos;
    if (!this.#dense) {
      for (; pos < end && fill < limit; pos += RECORD) {
        const hi = view.getUint32(pos + 8, true);
        if (hi > 0x1fffff) {
          throw recordError(
            this.#ctx,
            base + pos,
            "an obj_id ≤ 2^53−1 (ids: 'dense' renumbers larger ids)",
            `obj_id = ${view.getBigUint64(pos + 4, true)}`,
          );
        }
        out[fill++] = hi * TWO_32 + view.getUint32(pos + 4, true);
      }
    } else {
      const ids = this.#ids;
      for (; pos < end && fill < limit; pos += RECORD) {
        const hi = view.getUint32(pos + 8, true);
        let page: number | undefined;
        if (hi <= 0x1fffff) {
          const id = hi * TWO_32 + view.getUint32(pos + 4, true);
          page = ids.get(id);
          if (page === undefined) {
            page = ids.size + this.#bigIds.size;
            ids.set(id, page);
          }
        } else {
          const key = view.getBigUint64(pos + 4, true).toString();
          page = this.#bigIds.get(key);
          if (page === undefined) {
            page = ids.size + this.#bigIds.size;
            this.#bigIds.set(key, page);
          }
        }
        out[fill++] = page;
      }
    }
    batch.fill = fill;
    this.#ctx.stats.records += (pos - start) / RECORD;
    return pos;
  }
}
