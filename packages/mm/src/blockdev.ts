/**
 * The block layer's request queue with an elevator (drivers/block/ll_rw_blk.c and the I/O
 * schedulers): page I/O from the page cache and swap is queued here, sorted by disk offset,
 * and dispatched to the hw disk one request at a time in one-way elevator order (C-LOOK:
 * the nearest request at or beyond the head, else the lowest), with contiguous requests of
 * the same direction merged into one, up to 128 KB (32 pages). The hw disk itself is a FIFO
 * that does no reordering.
 */
import type { Disk } from '@cvhrc/hw';

/** Largest merged request, in bytes (max_sectors of 256 × 512 B). */
export const MAX_REQUEST_BYTES = 128 * 1024;

interface BlockRequest {
  readonly write: boolean;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  readonly done: () => void;
}

export class BlockQueue {
  readonly #disk: Disk;
  /**
   * Pending requests sorted by offset: `#pending[#first …]` (the entries before `#first` were
   * dispatched from the front, the usual case of a sequential stream, and are dropped in bulk
   * now and then, so that neither a long queue's dispatch nor its insertion moves it all).
   */
  #pending: (BlockRequest | undefined)[] = [];
  #first = 0;
  #busy = false;
  #head = 0;
  /** Requests merged into another before dispatch. */
  merged = 0;

  constructor(disk: Disk) {
    this.#disk = disk;
  }

  /** Requests waiting in the elevator (not yet at the disk). */
  get queued(): number {
    return this.#pending.length - this.#first;
  }

  /** Queues a read or write of whole pages; `done` runs when the disk has completed it. */
  submit(write: boolean, offsetBytes: number, lengthBytes: number, done: () => void): void {
    const req: BlockRequest = { write, offsetBytes, lengthBytes, done };
    const p = this.#pending;
    let lo = this.#first;
    let hi = p.length;
    if (hi === lo || p[hi - 1]!.offsetBytes <= offsetBytes) {
      p.push(req);
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (p[mid]!.offsetBytes <= offsetBytes) lo = mid + 1;
        else hi = mid;
      }
      p.splice(lo, 0, req);
    }
    if (!this.#busy) this.#dispatch();
  }

  #dispatch(): void {
    const p = this.#pending;
    const first0 = this.#first;
    if (p.length === first0) {
      p.length = 0;
      this.#first = 0;
      this.#busy = false;
      return;
    }
    this.#busy = true;
    // C-LOOK: the first request at or beyond the head, else wrap to the lowest.
    let lo = first0;
    let hi = p.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p[mid]!.offsetBytes < this.#head) lo = mid + 1;
      else hi = mid;
    }
    const i = lo === p.length ? first0 : lo;
    const first = p[i]!;
    let j = i + 1;
    let end = first.offsetBytes + first.lengthBytes;
    while (
      j < p.length &&
      p[j]!.offsetBytes === end &&
      p[j]!.write === first.write &&
      end + p[j]!.lengthBytes - first.offsetBytes <= MAX_REQUEST_BYTES
    ) {
      end += p[j]!.lengthBytes;
      j++;
    }
    let batch: BlockRequest[];
    if (i === first0) {
      batch = p.slice(i, j) as BlockRequest[];
      // From the front: step over them, and drop the stepped-over part once it is the larger.
      for (let k = i; k < j; k++) p[k] = undefined;
      this.#first = j;
      if (j === p.length) {
        p.length = 0;
        this.#first = 0;
      } else if (j > 1024 && 2 * j > p.length) {
        p.copyWithin(0, j);
        p.length -= j;
        this.#first = 0;
      }
    } else {
      batch = p.splice(i, j - i) as BlockRequest[];
    }
    this.merged += batch.length - 1;
    this.#head = end;
    this.#disk.submit({
      op: first.write ? 'write' : 'read',
      offsetBytes: first.offsetBytes,
      lengthBytes: end - first.offsetBytes,
      onComplete: () => {
        this.#dispatch();
        for (const r of batch) r.done();
      },
    });
  }
}
