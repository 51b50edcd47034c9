/** A kernel option that cannot be used: which option, and why. */
export class KernelConfigError extends Error {
  readonly option: string;
  readonly reason: string;

  constructor(option: string, reason: string) {
    super(`kernel option "${option}" ${reason}`);
    this.name = 'KernelConfigError';
    this.option = option;
    this.reason = reason;
  }
}

/** Error numbers the emulated system calls return. */
export type Errno = 'EINVAL' | 'ENOMEM' | 'ENOENT' | 'EEXIST' | 'EBADF' | 'EACCES';

/** A system call refused with an errno: what the program asked that the kernel refuses. */
export class SyscallError extends Error {
  readonly errno: Errno;
  readonly syscall: string;

  constructor(syscall: string, errno: Errno, detail: string) {
    super(`${syscall}: ${errno}: ${detail}`);
    this.name = 'SyscallError';
    this.errno = errno;
    this.syscall = syscall;
  }
}
