import { readCsv } from './csv.js';
import { readLackey } from './lackey.js';
import { readOracleGeneral } from './oracle-general.js';
import { readPages } from './pages.js';
import type { ByteChunks, PageTrace, ReadTraceOptions } from './types.js';
import { TRACE_FORMATS } from './types.js';
import { readVscsi } from './vscsi.js';

/**
 * Reads a trace of the given format (see `readPages`, `readLackey`, `readCsv`,
 * `readVscsi`, `readOracleGeneral`); options of other formats are ignored.
 */
export function readTrace(chunks: ByteChunks, options: ReadTraceOptions): PageTrace {
  switch (options.format) {
    case 'pages':
      return readPages(chunks, options);
    case 'lackey':
      return readLackey(chunks, options);
    case 'csv':
      return readCsv(chunks, options);
    case 'vscsi':
      return readVscsi(chunks, options);
    case 'oracleGeneral':
      return readOracleGeneral(chunks, options);
    default: {
      const format: unknown = (options as { format: unknown }).format;
      throw new RangeError(
        `unknown trace format ${JSON.stringify(format)}; expected one of ${TRACE_FORMATS.join(', ')}`,
      );
    }
  }
}
