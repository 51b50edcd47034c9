/**
 * A machine configuration that cannot be used: a field with a bad value, a field that does
 * not exist, or a document that is not JSON at all. The message names the source (a file
 * name when one was given), the field path (`memory.bytes`) and why it was refused, so a
 * command-line tool can print it as one line.
 */
export class MachineConfigError extends Error {
  /** Where the configuration came from (e.g. a file name), or undefined. */
  readonly source: string | undefined;
  /** Dotted path of the offending field, e.g. `memory.bytes`; empty for the whole document. */
  readonly path: string;
  /** Why the value was refused, e.g. `must be a multiple of memory.pageBytes (4096)`. */
  readonly reason: string;

  constructor(path: string, reason: string, source?: string) {
    const where = source === undefined ? 'machine config' : `machine config ${source}`;
    const field = path === '' ? '' : ` field "${path}"`;
    super(`${where}:${field} ${reason}`);
    this.name = 'MachineConfigError';
    this.source = source;
    this.path = path;
    this.reason = reason;
  }
}
