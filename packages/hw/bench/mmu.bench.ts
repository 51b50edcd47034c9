// MMU fast-path micro-benchmark: `npx vitest bench --run` from packages/hw.
// One iteration = one pass over 524,288 present pages (2 GiB); pages/s = 524,288 × hz.
// For a single figure per order, `benchMmu()` (what `cvhrc bench mmu` runs) is simpler.
import { bench, describe } from 'vitest';
import { access, accessRange, makePte, PageTable, PTE_PRESENT, PTE_RW, PTE_USER } from '@cvhrc/hw';

const PAGES = 524_288;
const table = new PageTable(PAGES / 1024);
for (let vpn = 0; vpn < PAGES; vpn++) table.set(vpn, makePte(vpn, PTE_PRESENT | PTE_RW | PTE_USER));

// Seeded permutation (a 48271 LCG drives Fisher–Yates): the same order on every run.
const order = new Int32Array(PAGES);
for (let i = 0; i < PAGES; i++) order[i] = i;
let seed = 1;
for (let i = PAGES - 1; i > 0; i--) {
  seed = (seed * 48271) % 2147483647;
  const j = seed % (i + 1);
  const t = order[i]!;
  order[i] = order[j]!;
  order[j] = t;
}

// Vitest rewrites imports into property reads of a module object; bind the functions
// locally so the loops call them directly, as compiled code importing @cvhrc/hw does.
const accessPage = access;
const accessPages = accessRange;
let sink = 0;

function sequential(write: boolean): void {
  let sum = 0;
  for (let vpn = 0; vpn < PAGES; vpn++) sum += accessPage(table, vpn, write);
  sink += sum;
}

function random(write: boolean): void {
  let sum = 0;
  for (let i = 0; i < PAGES; i++) sum += accessPage(table, order[i]!, write);
  sink += sum;
}

describe(`access() over ${PAGES} pages`, () => {
  bench('sequential read', () => sequential(false));
  bench('sequential write', () => sequential(true));
  bench('random read', () => random(false));
  bench('random write', () => random(true));
  bench('accessRange read', () => {
    sink += accessPages(table, 0, PAGES, 1, false);
  });
});

export const benchSink = (): number => sink;
