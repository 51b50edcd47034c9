import { describe, expect, test } from 'vitest';
import {
  CPU_IDLE,
  Cpus,
  createMachine,
  PAGE_SHIFT,
  PAGE_SIZE,
  parseMachineConfig,
  PhysicalMemory,
  benchMmu,
} from '@cvhrc/hw';

describe('PhysicalMemory', () => {
  test('2 GiB of 4 KiB frames', () => {
    const m = PhysicalMemory.fromConfig(parseMachineConfig({}));
    expect(m.frameCount).toBe(524_288);
    expect(PAGE_SIZE).toBe(1 << PAGE_SHIFT);
    expect(m.frameToAddress(0)).toBe(0);
    expect(m.frameToAddress(524_287)).toBe(2 ** 31 - 4096);
    expect(m.addressToFrame(2 ** 31 - 1)).toBe(524_287);
    expect(m.addressToFrame(8191)).toBe(1);
    expect(m.pageOffset(8191)).toBe(4095);
    expect(m.isFrame(524_288)).toBe(false);
    expect(() => m.frameToAddress(524_288)).toThrow(RangeError);
    expect(() => m.addressToFrame(2 ** 31)).toThrow(RangeError);
    expect(() => new PhysicalMemory(5000)).toThrow(RangeError);
  });
});

describe('Cpus', () => {
  test('busy and idle time per CPU; task slots', () => {
    const cpus = new Cpus(2);
    cpus.charge(0, 1000);
    cpus.charge(0, 500);
    cpus.charge(1, 200);
    cpus.chargeIdle(1, 1300);
    expect(cpus.busyNs(0)).toBe(1500);
    expect(cpus.busyNs(1)).toBe(200);
    expect(cpus.idleNs(1)).toBe(1300);
    expect(cpus.totalBusyNs()).toBe(1700);
    expect(cpus.utilization(1, 1500)).toBeCloseTo(200 / 1500, 12);
    expect(cpus.firstIdle()).toBe(0);
    expect(cpus.setRunning(0, 17)).toBe(CPU_IDLE);
    expect(cpus.firstIdle()).toBe(1);
    cpus.setRunning(1, 4);
    expect(cpus.firstIdle()).toBe(-1);
    expect(cpus.stats()).toEqual([
      { cpu: 0, busyNs: 1500, idleNs: 0, running: 17 },
      { cpu: 1, busyNs: 200, idleNs: 1300, running: 4 },
    ]);
    expect(cpus.cyclesToNs(1.86e3)).toBeCloseTo(1000, 9);
    expect(() => cpus.charge(2, 1)).toThrow(RangeError);
    expect(() => cpus.charge(0, -1)).toThrow(RangeError);
  });
});

describe('createMachine', () => {
  test('wires one clock through events, disk and costs', () => {
    const m = createMachine(parseMachineConfig({ cpu: { count: 4 } }), { minorFaultNs: 2500 });
    expect(m.cpus.count).toBe(4);
    expect(m.memory.frameCount).toBe(524_288);
    expect(m.costs.minorFaultNs).toBe(2500);
    expect(m.events.clock).toBe(m.clock);
    m.disk.submit({ op: 'read', offsetBytes: 0, lengthBytes: 4096 });
    m.events.run();
    expect(m.clock.now).toBe(Math.round((4096 * 1e9) / 60e6));
  });
});

describe('benchMmu', () => {
  test('runs on a small table and reports rates (figures are not asserted)', () => {
    const r = benchMmu({ pages: 4096, minTimeMs: 1 });
    expect(r.pages).toBe(4096);
    expect(r.sequentialPerSec).toBeGreaterThan(0);
    expect(r.randomPerSec).toBeGreaterThan(0);
  });
});
