/**
 * struct vx_info: one Linux-VServer context — its xid, its tasks, the address spaces
 * charged to it, and its resource counters (§E).
 */
import type { MmStruct, Task } from '@cvhrc/mm';
import { VX_RESOURCES, VxLimit, type VxLimitValues, type VxResource } from './limit.js';
import type { ContextTracking } from './tracking.js';

export class VxContext {
  readonly xid: number;
  /** The tasks whose xid this is. */
  readonly tasks = new Set<Task>();
  /** The address spaces charged to this context (mm_vx_info: the creator's context). */
  readonly mms = new Set<MmStruct>();
  /** The pid of the first task started in the context (its init), 0 for none. */
  initPid = 0;
  /** Simulated time of creation, ns. */
  readonly createdNs: number;
  readonly #limits = new Map<VxResource, VxLimit>();
  /** The modelled resources' counters, held directly for the page-mapping paths. */
  readonly rss: VxLimit;
  readonly vm: VxLimit;
  readonly vml: VxLimit;
  readonly anon: VxLimit;
  /** The context's CvHRC tracking (set by the CvHRC bridge while the context lives). */
  tracking: ContextTracking | null = null;
  /**
   * For each frame, how many PTEs of this context's address spaces map it: RSS counts the
   * frames with a count above 0, so a page shared inside the context is counted once.
   */
  readonly frameMaps: Int32Array;
  /** Frames with frameMaps > 0. */
  residentFrames = 0;

  constructor(xid: number, frameCount: number, nowNs: number) {
    this.xid = xid;
    this.createdNs = nowNs;
    this.frameMaps = new Int32Array(frameCount);
    for (const r of VX_RESOURCES) this.#limits.set(r, new VxLimit());
    this.rss = this.limit('RSS');
    this.vm = this.limit('VM');
    this.vml = this.limit('VML');
    this.anon = this.limit('ANON');
  }

  /** The counters of one resource (live). */
  limit(resource: VxResource): VxLimit {
    const l = this.#limits.get(resource);
    if (l === undefined) throw new Error(`no resource ${String(resource)}`);
    return l;
  }

  /** A copy of one resource's counters. */
  values(resource: VxResource): VxLimitValues {
    const { cur, max, lim, hits } = this.limit(resource);
    return { cur, max, lim, hits };
  }

  /** Re-reads the per-mm counters: VM (total_vm), VML (locked_vm), ANON (anon_rss). */
  refreshMm(): void {
    let vm = 0;
    let vml = 0;
    let anon = 0;
    for (const mm of this.mms) {
      vm += mm.totalVm;
      vml += mm.lockedVm;
      anon += mm.anonRss;
    }
    this.vm.set(vm);
    this.vml.set(vml);
    this.anon.set(anon);
  }

  /** SHM: pages of the distinct SysV shm segments attached by the context's address spaces. */
  refreshShm(): void {
    const seen = new Set<number>();
    let pages = 0;
    for (const mm of this.mms) {
      for (const vma of mm.vmas) {
        const f = vma.file;
        if (f?.kind !== 'shmem' || seen.has(f.id)) continue;
        seen.add(f.id);
        pages += f.sizePages;
      }
    }
    this.limit('SHM').set(pages);
  }

  /** Brings every modelled counter up to date. */
  refresh(): void {
    this.refreshMm();
    this.refreshShm();
    this.rss.set(this.residentFrames);
    this.limit('PROC').set(this.tasks.size);
  }
}

/** The context an address space is charged to (its mm_vx_info, §E), or undefined for the host. */
export function vxContextOf(mm: MmStruct): VxContext | undefined {
  const ctx = mm.vxInfo;
  return ctx instanceof VxContext ? ctx : undefined;
}
