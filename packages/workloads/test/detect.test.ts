import { describe, expect, test } from 'vitest';
import { detectTraceFormat, TRACE_FORMATS, UnknownTraceFormatError } from '@cvhrc/workloads';

describe('detectTraceFormat', () => {
  test.each([
    ['../shared/traces/cloudPhysicsIO.vscsi', 'vscsi'],
    ['w44.VSCSI.gz', 'vscsi'],
    ['cluster52.oracleGeneral', 'oracleGeneral'],
    ['cloudPhysicsIO.oracleGeneral.bin', 'oracleGeneral'],
    ['cluster52.oracleGeneral.zst', 'oracleGeneral'],
    ['/data/x.oraclegeneral.bin.zst', 'oracleGeneral'],
    ['twitter.csv', 'csv'],
    ['twitter.csv.zst', 'csv'],
    ['ls.lackey', 'lackey'],
    ['ls.lackey.gz', 'lackey'],
    ['cloudPhysicsIO.txt', 'pages'],
    ['C:\\traces\\run.pages.gz', 'pages'],
    ['run.txt.zstd', 'pages'],
  ])('%s → %s', (path, format) => {
    expect(detectTraceFormat(path)).toBe(format);
    expect(TRACE_FORMATS).toContain(format);
  });

  test.each(['trace', 'trace.bin', 'trace.gz', 'x.zst', 'a.csv/trace', 'trace.dat.gz'])(
    '%s is ambiguous',
    (path) => {
      expect(() => detectTraceFormat(path)).toThrow(UnknownTraceFormatError);
      expect(() => detectTraceFormat(path)).toThrow(/name it explicitly \(--format /);
    },
  );

  test('the error names the path and why', () => {
    try {
      detectTraceFormat('/tmp/run.dat');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownTraceFormatError);
      expect((error as UnknownTraceFormatError).path).toBe('/tmp/run.dat');
      expect((error as Error).message).toMatch(
        /^cannot tell the trace format of "\/tmp\/run\.dat": the extension "\.dat" does not name a trace format/,
      );
    }
  });
});
