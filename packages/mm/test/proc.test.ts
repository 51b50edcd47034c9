// /proc views as 2.6.17 prints them.
import { expect, test } from 'vitest';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  procMeminfo,
  procPidStatm,
  procPidStatus,
  procVmstat,
  procZoneinfo,
  PROT_READ,
  PROT_WRITE,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

test('/proc/meminfo of a fresh 64 MiB machine', () => {
  const k = smallKernel(64);
  const text = procMeminfo(k);
  // 16384 frames − 1280 boot-reserved − 128 mem_map = 14976 pages = 59904 kB.
  expect(text.split('\n')[0]).toBe('MemTotal:        59904 kB');
  expect(text).toContain('MemFree:         59904 kB\n');
  expect(text).toContain('HighTotal:           0 kB\n');
  expect(text).toContain('LowTotal:        59904 kB\n');
  // 128 MiB of swap minus the header page.
  expect(text).toContain('SwapTotal:      131068 kB\n');
  expect(text).toContain('CommitLimit:    161020 kB\n'); // (14976/2 + 32767) pages
  expect(text.trimEnd().split('\n')).toHaveLength(23);
});

test('/proc/vmstat, /proc/<pid>/status and statm follow the faults', () => {
  const k = smallKernel(64);
  const t = k.createTask('cc1');
  const v = k.mmap(t, {
    pages: 10,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  for (let i = 0; i < 4; i++) k.userAccess(t, v + i, true);
  k.userAccess(t, v + 4, false); // ZERO_PAGE, counted in file_rss
  const vmstat = procVmstat(k);
  expect(vmstat.split('\n')[0]).toBe('nr_dirty 0');
  expect(vmstat).toContain('\nnr_mapped 5\n');
  expect(vmstat).toContain('\npgfault 5\n');
  expect(vmstat).toContain('\npgalloc_normal 4\n');
  expect(vmstat).toContain('\npgscan_kswapd_dma32 0\n');
  expect(vmstat.endsWith('nr_bounce 0\n')).toBe(true);
  expect(procPidStatm(t)).toBe('10 5 1 0 0 10 0\n');
  const status = procPidStatus(k, t);
  expect(status).toContain('Name:\tcc1\n');
  expect(status).toContain('VmSize:\t      40 kB\n');
  expect(status).toContain('VmRSS:\t      20 kB\n');
  expect(status).toContain('VmData:\t      40 kB\n');
  expect(status).toContain('VmPTE:\t       4 kB\n');
  expect(procZoneinfo(k)).toContain('protection: (0, 48, 48)');
});
