// wait with `any` (wait(2)): a parent reaps one child at a time, as make -jN does.
import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { expect, test } from 'vitest';
import { Kernel, Scheduler, type Operation, type Program } from '@cvhrc/mm';

const MS = 1_000_000;

function kernel(): Kernel {
  const machine = createMachine(
    parseMachineConfig({ memory: { bytes: 64 * 1024 * 1024 }, cpu: { count: 2 } }),
  );
  return new Kernel({ machine });
}

const job = (comm: string, ms: number): Operation => ({
  op: 'fork',
  comm,
  program: [{ op: 'compute', ns: ms * MS }],
});

test('wait any returns at the first exit; a full wait at the last', () => {
  const k = kernel();
  const s = new Scheduler(k);
  const marks: number[] = [];
  const mark = (): Operation => {
    marks.push(k.clock.now + k.burstNs);
    return { op: 'compute', ns: 0 };
  };
  function* parent(): Program {
    yield job('short', 2);
    yield job('long', 10);
    yield { op: 'wait', any: true };
    yield mark();
    yield { op: 'wait' };
    yield mark();
  }
  s.spawn(parent(), 'make');
  s.run();
  const short = s.exits.find((e) => e.comm === 'short')!;
  const long = s.exits.find((e) => e.comm === 'long')!;
  expect(marks[0]).toBeGreaterThanOrEqual(short.timeNs);
  expect(marks[0]).toBeLessThan(long.timeNs);
  expect(marks[1]).toBeGreaterThanOrEqual(long.timeNs);
});

test('each exit is reaped once; with no child left wait any returns at once', () => {
  const k = kernel();
  const s = new Scheduler(k);
  const marks: number[] = [];
  const mark = (): Operation => {
    marks.push(k.clock.now + k.burstNs);
    return { op: 'compute', ns: 0 };
  };
  function* parent(): Program {
    yield job('a', 1);
    yield job('b', 1);
    // Both children end while the parent computes: two exits wait to be reaped.
    yield { op: 'compute', ns: 20 * MS };
    yield { op: 'wait', any: true };
    yield { op: 'wait', any: true };
    yield mark();
    yield job('c', 5);
    yield { op: 'wait', any: true };
    yield mark();
    yield { op: 'wait', any: true };
    yield mark();
  }
  s.spawn(parent(), 'make');
  s.run();
  const c = s.exits.find((e) => e.comm === 'c')!;
  // The two queued exits were reaped without blocking; the third wait blocked until c ended.
  expect(marks[0]).toBeLessThan(c.timeNs);
  expect(marks[1]).toBeGreaterThanOrEqual(c.timeNs);
  // No child left: ECHILD at once.
  expect(marks[2]).toBe(marks[1]);
});
