// Property test (fast-check): random operation sequences on small machines keep every
// invariant of checkInvariants() (CONFIG_DEBUG_VM) and lose no data: every load reads the
// content stamp of the last store that the program's view of memory says it should see,
// whatever reclaim, swap and COW did meanwhile.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  VM_SHARED,
  VM_WRITE,
  type Task,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

type Op =
  | { kind: 'mmapAnon'; task: number; pages: number }
  | { kind: 'mmapFile'; task: number; file: number; pages: number; shared: boolean; write: boolean }
  | { kind: 'touch'; task: number; vma: number; offset: number; count: number; write: boolean }
  | { kind: 'fork'; task: number }
  | { kind: 'exit'; task: number }
  | { kind: 'munmap'; task: number; vma: number; offset: number; pages: number }
  | { kind: 'mprotect'; task: number; vma: number; offset: number; pages: number; write: boolean }
  | { kind: 'brk'; task: number; pages: number }
  | { kind: 'shmat'; task: number; seg: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('mprotect' as const),
    task: fc.nat(7),
    vma: fc.nat(7),
    offset: fc.nat(300),
    pages: fc.integer({ min: 1, max: 300 }),
    write: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('brk' as const), task: fc.nat(7), pages: fc.nat(1500) }),
  fc.record({ kind: fc.constant('shmat' as const), task: fc.nat(7), seg: fc.nat(2) }),
  fc.record({
    kind: fc.constant('mmapAnon' as const),
    task: fc.nat(7),
    pages: fc.integer({ min: 1, max: 2000 }),
  }),
  fc.record({
    kind: fc.constant('mmapFile' as const),
    task: fc.nat(7),
    file: fc.nat(2),
    pages: fc.integer({ min: 1, max: 300 }),
    shared: fc.boolean(),
    write: fc.boolean(),
  }),
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      task: fc.nat(7),
      vma: fc.nat(7),
      offset: fc.nat(2000),
      count: fc.integer({ min: 1, max: 1500 }),
      write: fc.boolean(),
    }),
  },
  fc.record({ kind: fc.constant('fork' as const), task: fc.nat(7) }),
  fc.record({ kind: fc.constant('exit' as const), task: fc.nat(7) }),
  fc.record({
    kind: fc.constant('munmap' as const),
    task: fc.nat(7),
    vma: fc.nat(7),
    offset: fc.nat(300),
    pages: fc.integer({ min: 1, max: 300 }),
  }),
);

test('random programs keep the memory manager consistent', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(8, 12, 16),
      fc.constantFrom(0, 4 << 20, 16 << 20),
      fc.array(opArb, { minLength: 5, maxLength: 60, size: 'large' }),
      (mib, swapBytes, ops) => {
        const k = smallKernel(mib, { swapBytes });
        const files = [0, 1, 2].map((i) => k.createFile(`/f${i}`, (100 + 150 * i) * 4096));
        // The model: what each task's private pages hold, and what each file holds.
        const priv = new Map<Task, Map<number, number>>();
        const segments = [0, 1, 2].map((i) => k.shmget(100 + i, (50 + 300 * i) * 4096));
        const fileData = new Map<object, Map<number, number>>();
        const dataOf = (file: object): Map<number, number> => {
          let m = fileData.get(file);
          if (m === undefined) fileData.set(file, (m = new Map<number, number>()));
          return m;
        };
        const privOf = (t: Task): Map<number, number> => {
          let m = priv.get(t);
          if (m === undefined) priv.set(t, (m = new Map<number, number>()));
          return m;
        };
        // A mirror of every present PTE, kept only through the pageMapped/pageUnmapped hooks.
        const mirror = new Map<string, number>();
        const key = (mmId: number, vpn: number): string => `${mmId}:${vpn}`;
        k.hooks.pageMapped = (mm, vpn, frame) => {
          expect(mirror.has(key(mm.id, vpn))).toBe(false);
          mirror.set(key(mm.id, vpn), frame);
        };
        k.hooks.pageUnmapped = (mm, vpn, frame) => {
          expect(mirror.get(key(mm.id, vpn))).toBe(frame);
          mirror.delete(key(mm.id, vpn));
        };
        const checkMirror = (): void => {
          let present = 0;
          for (const mm of k.mms()) {
            mm.pageTable.walk(0, 1 << 20, (vpn, pte) => {
              if ((pte & 1) === 0) return;
              present++;
              expect(mirror.get(key(mm.id, vpn))).toBe(pte >>> 12);
            });
          }
          expect(mirror.size).toBe(present);
        };
        k.createTask('init');
        const live = (): Task[] => k.tasks().filter((t) => t.pid !== 1 && t.mm !== null);
        k.createTask('a');
        for (const op of ops) {
          if (live().length === 0) k.createTask('a');
          const t = live()[op.task % live().length]!;
          const vmas = t.mm!.vmas;
          switch (op.kind) {
            case 'mmapAnon':
              k.mmap(t, {
                pages: op.pages,
                prot: PROT_READ | PROT_WRITE,
                flags: MAP_PRIVATE | MAP_ANONYMOUS,
              });
              break;
            case 'mmapFile':
              k.mmap(t, {
                pages: op.pages,
                prot: PROT_READ | (op.write ? PROT_WRITE : 0),
                flags: op.shared ? MAP_SHARED : MAP_PRIVATE,
                file: files[op.file]!,
              });
              break;
            case 'touch': {
              const vma = vmas[op.vma % Math.max(1, vmas.length)];
              if (vma === undefined) break;
              const shared = (vma.flags & VM_SHARED) !== 0;
              const store = op.write && (vma.flags & VM_WRITE) !== 0;
              for (let i = 0; i < op.count; i++) {
                const vpn = vma.start + ((op.offset + i) % vma.pages);
                const index = vma.linearPageIndex(vpn);
                if (index >= (vma.file?.sizePages ?? Infinity)) break; // SIGBUS beyond EOF
                const r = store ? k.userStore(t, vpn) : k.userLoad(t, vpn);
                if (r < 0) break; // OOM-killed
                if (store) {
                  if (shared) dataOf(vma.file!).set(index, r);
                  else privOf(t).set(vpn, r);
                } else {
                  const fromFile = vma.file === null ? 0 : (dataOf(vma.file).get(index) ?? 0);
                  if (shared) expect(r).toBe(fromFile);
                  else expect(r).toBe(privOf(t).get(vpn) ?? fromFile);
                }
              }
              break;
            }
            case 'fork':
              if (k.tasks().length < 8) {
                const child = k.fork(t);
                priv.set(child, new Map(privOf(t)));
              }
              break;
            case 'exit':
              k.exit(t);
              break;
            case 'shmat':
              k.shmat(t, segments[op.seg]!);
              break;
            case 'mprotect': {
              const vma = vmas[op.vma % Math.max(1, vmas.length)];
              if (vma === undefined) break;
              const start = vma.start + (op.offset % vma.pages);
              const pages = Math.min(op.pages, vma.end - start);
              k.mprotect(t, start, pages, PROT_READ | (op.write ? PROT_WRITE : 0));
              break;
            }
            case 'brk': {
              const mm = t.mm!;
              const target = mm.startBrk + op.pages;
              const before = mm.brk;
              const after = k.brk(t, target);
              if (after < before) {
                for (const vpn of [...privOf(t).keys()]) {
                  if (vpn >= after && vpn < before) privOf(t).delete(vpn);
                }
              }
              break;
            }
            case 'munmap': {
              const vma = vmas[op.vma % Math.max(1, vmas.length)];
              if (vma === undefined) break;
              const start = vma.start + (op.offset % vma.pages);
              const pages = Math.min(op.pages, 0xbffff - start);
              k.munmap(t, start, pages);
              for (const vpn of [...privOf(t).keys()]) {
                if (vpn >= start && vpn < start + pages) privOf(t).delete(vpn);
              }
              break;
            }
          }
          k.checkInvariants();
          checkMirror();
        }
        k.runEvents();
        k.checkInvariants();
        for (const t of k.tasks()) k.exit(t);
        for (const id of segments) k.shmRemove(id); // segments outlive their users until IPC_RMID
        k.runEvents();
        k.checkInvariants();
        expect(k.nrMapped).toBe(0);
        // Swap-cache pages may outlive every PTE (read ahead, or under I/O when the PTEs
        // went): then only the cache holds their slots, until reclaim drops them.
        expect(k.swap === null ? 0 : k.swap.inusePages).toBe(k.nrSwapcache);
      },
    ),
    { numRuns: 40, seed: 42 },
  );
});
