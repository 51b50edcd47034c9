export { MachineConfigError } from './errors.js';
export {
  defaultMachineConfig,
  describeMachineConfig,
  mergeMachineConfig,
  parseMachineConfig,
  type CpuConfig,
  type DiskConfig,
  type MachineConfig,
  type MachineConfigOverrides,
  type MachineConfigRow,
  type MemoryConfig,
} from './config.js';
export { Clock, formatNs, NS_PER_MS, NS_PER_S, NS_PER_US } from './clock.js';
export {
  EVENT_KIND_CALLBACK,
  EventQueue,
  type EventCallback,
  type EventHandler,
  type FiredEvent,
} from './events.js';
export {
  COST_NAMES,
  CostModel,
  WORD_BYTES,
  type CostName,
  type CostOverrides,
  type CostRow,
  type DerivedCostName,
  type DiskLatency,
} from './costs.js';
export { PAGE_SHIFT, PAGE_SIZE, PhysicalMemory } from './memory.js';
export {
  formatPte,
  makePte,
  makeSwapPte,
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_FLAGS_MASK,
  PTE_FRAME_SHIFT,
  PTE_GLOBAL,
  PTE_MAX_FRAME,
  PTE_PAT,
  PTE_PCD,
  PTE_PRESENT,
  PTE_PWT,
  PTE_RW,
  PTE_SPARE,
  PTE_SWAP,
  PTE_TRACKING,
  PTE_USER,
  pteClear,
  pteFlags,
  pteFrame,
  pteHas,
  pteIsNone,
  pteIsPresent,
  pteIsSwap,
  pteSet,
  pteSwapSlot,
  pteSwapType,
  pteWithFrame,
  SWAP_MAX_SLOT,
  SWAP_MAX_TYPE,
} from './pte.js';
export {
  PAGE_TABLE_BYTES,
  PageTable,
  PTRS_PER_PGD,
  PTRS_PER_PTE,
  VPN_BITS,
  VPN_COUNT,
  type PageTableMemory,
  type PteVisitor,
} from './pagetable.js';
export {
  access,
  accessRange,
  FAULT_NOT_PRESENT,
  FAULT_SWAP,
  FAULT_TRACKING,
  FAULT_WRITE_PROTECT,
  faultName,
} from './mmu.js';
export {
  Disk,
  type DiskCompletion,
  type DiskOp,
  type DiskRequest,
  type DiskStats,
} from './disk.js';
export { CPU_IDLE, Cpus, type CpuStats } from './cpu.js';
export { createMachine, type Machine } from './machine.js';
export { benchMmu, type MmuBenchOptions, type MmuBenchResult } from './mmubench.js';
