import type { Disk, DiskRequest } from '@cvhrc/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockQueue, MAX_REQUEST_BYTES } from '../src/index.js';

const PAGE = 4096;

/** A disk that only records what reaches it; the test completes requests one at a time. */
class FakeDisk {
  readonly inFlight: DiskRequest[] = [];
  readonly log: string[] = [];
  submit(req: DiskRequest): void {
    this.log.push(`${req.op} ${req.offsetBytes} ${req.lengthBytes}`);
    this.inFlight.push(req);
  }
  complete(): boolean {
    const req = this.inFlight.shift();
    if (req === undefined) return false;
    req.onComplete?.({} as never);
    return true;
  }
}

interface Req {
  readonly write: boolean;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  readonly done: () => void;
}

/** The elevator written plainly (a sorted array, a linear scan, splices): the reference. */
class PlainQueue {
  readonly #disk: FakeDisk;
  #pending: Req[] = [];
  #busy = false;
  #head = 0;
  merged = 0;
  constructor(disk: FakeDisk) {
    this.#disk = disk;
  }
  get queued(): number {
    return this.#pending.length;
  }
  submit(write: boolean, offsetBytes: number, lengthBytes: number, done: () => void): void {
    const p = this.#pending;
    let at = 0;
    while (at < p.length && p[at]!.offsetBytes <= offsetBytes) at++;
    p.splice(at, 0, { write, offsetBytes, lengthBytes, done });
    if (!this.#busy) this.#dispatch();
  }
  #dispatch(): void {
    const p = this.#pending;
    if (p.length === 0) {
      this.#busy = false;
      return;
    }
    this.#busy = true;
    let i = 0;
    while (i < p.length && p[i]!.offsetBytes < this.#head) i++;
    if (i === p.length) i = 0;
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
    const batch = p.splice(i, j - i);
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

/** Step: submit (write, page, pages) or complete the disk's oldest request. */
type Step = { readonly submit: readonly [boolean, number, number] } | { readonly complete: true };

/** Runs the steps through the queue and the reference; returns both logs. */
function runBoth(steps: readonly Step[]): { ours: string[]; plain: string[] } {
  const logs: { ours: string[]; plain: string[] } = { ours: [], plain: [] };
  for (const which of ['ours', 'plain'] as const) {
    const disk = new FakeDisk();
    const q = which === 'ours' ? new BlockQueue(disk as unknown as Disk) : new PlainQueue(disk);
    const out = logs[which];
    let n = 0;
    for (const step of steps) {
      if ('complete' in step) disk.complete();
      else {
        const [write, page, pages] = step.submit;
        const id = n++;
        q.submit(write, page * PAGE, pages * PAGE, () => out.push(`done ${id}`));
      }
      out.push(`queued ${q.queued}`);
    }
    while (disk.complete()) out.push(`queued ${q.queued}`);
    out.push(`merged ${q.merged}`);
    out.push(...disk.log);
  }
  return logs;
}

describe('BlockQueue (the elevator)', () => {
  it('dispatches in C-LOOK order and merges contiguous requests like the plain elevator', () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc
        .tuple(fc.boolean(), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 40 }))
        .map((submit) => ({ submit })),
      fc.constant({ complete: true as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const { ours, plain } = runBoth(steps);
        expect(ours).toEqual(plain);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a long sequential stream in order across the front compactions', () => {
    // Thousands queued at once and dispatched from the front, so that the stepped-over part
    // is dropped again and again; then the same with requests behind the head (the wrap).
    for (const wrapEvery of [0, 500]) {
      const steps: Step[] = [];
      let behind = 0;
      for (let i = 0; i < 6000; i++) {
        steps.push({ submit: [true, 10 * i, 1] });
        if (i % 3 === 0) steps.push({ complete: true });
        if (wrapEvery > 0 && i % wrapEvery === 250) {
          steps.push({ submit: [false, 5, 2] });
          behind++;
        }
        // Drain now and then, so that the front is stepped over while more keep coming.
        if (i % 2000 === 1999) for (let k = 0; k < 1500; k++) steps.push({ complete: true });
      }
      const { ours, plain } = runBoth(steps);
      expect(ours).toEqual(plain);
      expect(ours.filter((l) => l.startsWith('done')).length).toBe(6000 + behind);
    }
  });

  it('merges up to MAX_REQUEST_BYTES and never across reads and writes', () => {
    const disk = new FakeDisk();
    const q = new BlockQueue(disk as unknown as Disk);
    q.submit(true, 0, PAGE, () => undefined); // goes to the disk at once
    for (let p = 1; p <= 40; p++) q.submit(true, p * PAGE, PAGE, () => undefined);
    q.submit(false, 41 * PAGE, PAGE, () => undefined);
    expect(q.queued).toBe(41);
    while (disk.complete());
    expect(disk.log).toEqual([
      `write 0 ${PAGE}`,
      `write ${PAGE} ${MAX_REQUEST_BYTES}`,
      `write ${33 * PAGE} ${8 * PAGE}`,
      `read ${41 * PAGE} ${PAGE}`,
    ]);
    expect(q.queued).toBe(0);
    expect(q.merged).toBe(31 + 7);
  });
});
