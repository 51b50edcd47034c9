import type { MachineConfig } from './config.js';

/** x86 page size and its shift. */
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/**
 * Physical memory as page frame numbers 0 … frameCount − 1 (the kernel's pfn). Frame
 * contents are not stored: the emulation tracks which frame holds what, not the bytes.
 */
export class PhysicalMemory {
  readonly bytes: number;
  readonly pageBytes: number;
  readonly frameCount: number;

  constructor(bytes: number, pageBytes: number = PAGE_SIZE) {
    if (!Number.isSafeInteger(pageBytes) || pageBytes <= 0) {
      throw new RangeError(
        `PhysicalMemory: page size must be a positive integer, got ${pageBytes}`,
      );
    }
    if (!Number.isSafeInteger(bytes) || bytes < pageBytes || bytes % pageBytes !== 0) {
      throw new RangeError(
        `PhysicalMemory: size must be a positive multiple of the page size (${pageBytes}), got ${bytes}`,
      );
    }
    this.bytes = bytes;
    this.pageBytes = pageBytes;
    this.frameCount = bytes / pageBytes;
  }

  /** Memory of a (validated) machine configuration. */
  static fromConfig(config: MachineConfig): PhysicalMemory {
    return new PhysicalMemory(config.memory.bytes, config.memory.pageBytes);
  }

  /** True for an integer frame number inside this memory. */
  isFrame(frame: number): boolean {
    return Number.isInteger(frame) && frame >= 0 && frame < this.frameCount;
  }

  /** Physical address of the first byte of a frame. */
  frameToAddress(frame: number): number {
    if (!this.isFrame(frame)) {
      throw new RangeError(`PhysicalMemory: frame ${frame} is outside 0…${this.frameCount - 1}`);
    }
    return frame * this.pageBytes;
  }

  /** Frame holding a physical address. */
  addressToFrame(address: number): number {
    if (!Number.isInteger(address) || address < 0 || address >= this.bytes) {
      throw new RangeError(`PhysicalMemory: address ${address} is outside 0…${this.bytes - 1}`);
    }
    return Math.floor(address / this.pageBytes);
  }

  /** Offset of a physical address inside its frame. */
  pageOffset(address: number): number {
    return address % this.pageBytes;
  }
}
