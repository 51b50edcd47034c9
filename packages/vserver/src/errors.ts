/** Error numbers the context operations and /proc/virtual views return. */
export type VxErrno = 'EINVAL' | 'EEXIST' | 'ENOENT' | 'EBUSY' | 'EPERM';

/** A context operation refused with an errno: what was asked, and why it was refused. */
export class VxError extends Error {
  readonly errno: VxErrno;
  readonly op: string;

  constructor(op: string, errno: VxErrno, detail: string) {
    super(`${op}: ${errno}: ${detail}`);
    this.name = 'VxError';
    this.errno = errno;
    this.op = op;
  }
}
