// Trace-reader throughput: `npx vitest bench --run` from packages/workloads.
// One iteration parses a whole in-memory input in 1 MiB chunks; records/s = records × hz.
// For figures on the built package, see the README ("Speed").
import { bench, describe } from 'vitest';
import { readCsv, readLackey, readOracleGeneral, readPages, readVscsi } from '@cvhrc/workloads';

const LINES = 2_000_000;
const encoder = new TextEncoder();

/** A text input of `n` lines made by `line(i, r)` (r: a seeded 48271 LCG draw). */
function textInput(n: number, line: (i: number, r: number) => string): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let seed = 1;
  let part = '';
  for (let i = 0; i < n; i++) {
    seed = (seed * 48271) % 2147483647;
    part += line(i, seed);
    if (part.length >= 1 << 20) {
      chunks.push(encoder.encode(part));
      part = '';
    }
  }
  chunks.push(encoder.encode(part));
  return chunks;
}

const pages = textInput(LINES, (_, r) => `${r % 100_000_000}\n`);
const lackey = textInput(LINES, (i, r) => {
  const kind = i % 3 === 0 ? 'I ' : i % 3 === 1 ? ' L' : ' S';
  return `${kind} ${(0x04000000 + (r % 0x1000000)).toString(16).padStart(8, '0')},${1 + (r & 7)}\n`;
});
const csv = textInput(LINES, (i, r) => `${i},${r % 10_000_000},4096\n`);

function binaryInput(
  records: number,
  size: number,
  fill: (view: DataView, at: number, r: number) => void,
): Uint8Array[] {
  const bytes = new Uint8Array(records * size);
  const view = new DataView(bytes.buffer);
  let seed = 1;
  for (let i = 0; i < records; i++) {
    seed = (seed * 48271) % 2147483647;
    fill(view, i * size, seed);
  }
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 1 << 20)
    chunks.push(bytes.subarray(at, at + (1 << 20)));
  return chunks;
}

const vscsi = binaryInput(LINES, 32, (view, at, r) => {
  view.setUint32(at + 4, 512 * (1 + (r & 15)), true);
  view.setUint16(at + 14, 0x0100, true);
  view.setUint32(at + 16, r % 50_000_000, true);
});
const oracle = binaryInput(LINES, 24, (view, at, r) => {
  view.setUint32(at + 4, r % 1_000_000, true);
});

async function drain(trace: AsyncIterable<Float64Array>): Promise<void> {
  for await (const batch of trace) if (batch.length < 0) throw new Error('unreachable');
}

const options = { reuseBatches: true } as const;

describe(`trace readers, ${LINES.toLocaleString('en')} records per iteration`, () => {
  bench('pages', () => drain(readPages(pages, options)));
  bench('lackey (instructions in)', () =>
    drain(readLackey(lackey, { ...options, instructions: true })),
  );
  bench('csv (id in column 2)', () => drain(readCsv(csv, { ...options, idColumn: 2 })));
  bench('vscsi', () => drain(readVscsi(vscsi, options)));
  bench("vscsi expand: 'pages'", () => drain(readVscsi(vscsi, { ...options, expand: 'pages' })));
  bench('oracleGeneral', () => drain(readOracleGeneral(oracle, options)));
});
