/**
 * GFP flags of 2.6.17 (include/linux/gfp.h), at the kernel's values, and the zonelist each
 * allocation walks on i386 (§A6).
 */
export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
/** May sleep (and so may reclaim). */
export const __GFP_WAIT = 0x10;
/** May use emergency pools: ALLOC_HIGH. */
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_COLD = 0x100;
export const __GFP_NOWARN = 0x200;
export const __GFP_REPEAT = 0x400;
export const __GFP_NOFAIL = 0x800;
export const __GFP_NORETRY = 0x1000;
/** Return a zeroed page. */
export const __GFP_ZERO = 0x8000;
export const __GFP_NOMEMALLOC = 0x10000;
export const __GFP_HARDWALL = 0x20000;

export const GFP_ATOMIC = __GFP_HIGH;
export const GFP_NOIO = __GFP_WAIT;
export const GFP_NOFS = __GFP_WAIT | __GFP_IO;
export const GFP_KERNEL = __GFP_WAIT | __GFP_IO | __GFP_FS;
export const GFP_USER = __GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
/** User pages (anonymous, page cache, swap cache) may live in HighMem. */
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_DMA = __GFP_DMA;
