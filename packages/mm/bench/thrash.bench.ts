// Thrashing figures (see thrash.ts). Run: npx vitest bench --run bench/thrash.bench.ts
import { formatNs } from '@cvhrc/hw';
import { bench } from 'vitest';
import { thrash } from './thrash.js';

for (const n of [1, 2, 3, 4]) {
  bench(
    `thrash 128 MiB, ${n} × 0.4 RAM`,
    () => {
      const r = thrash(128, n, 2);
      console.log(
        `N=${r.tasks}: ${r.touches} touches, ${r.majorFaults} major faults ` +
          `(${r.majorPerTouch.toFixed(3)}/touch), pswpin ${r.pswpin}, pswpout ${r.pswpout}, ` +
          `${formatNs(r.simulatedNs)} simulated (${formatNs(r.nsPerTouch)}/touch)`,
      );
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
}
