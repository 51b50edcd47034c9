/** An lmbench configuration that lmbench's own scripts would refuse. */
export class LmbenchConfigError extends Error {
  override readonly name = 'LmbenchConfigError';
  constructor(message: string) {
    super(`lmbench: ${message}`);
  }
}
