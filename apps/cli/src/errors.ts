/**
 * An error the user can fix (bad flag value, unreadable file, …). The CLI prints its
 * message on one line and exits with `exitCode`.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** One line for the user, whatever was thrown. Library errors carry their own context. */
export function errorLine(err: unknown): string {
  if (err instanceof Error) {
    const first = err.message.split('\n')[0] ?? '';
    return first.trim() === '' ? err.name : first;
  }
  return String(err);
}
