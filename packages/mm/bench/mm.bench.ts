// Throughput of the memory manager on the 2 GiB machine (issue 4's `cvhrc bench mm`).
// Run: npx vitest bench --run bench/mm.bench.ts
import { benchMm } from '@cvhrc/mm';
import { bench } from 'vitest';

bench(
  'benchMm, 2 GiB',
  () => {
    console.log(JSON.stringify(benchMm()));
  },
  { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
);
