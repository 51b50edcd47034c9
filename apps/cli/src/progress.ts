import type { Io } from './output.js';

/**
 * A progress bar on stderr for work that takes over a second. It draws nothing when
 * stderr is not a terminal or when quiet, and never before the first second has passed.
 */
export class Progress {
  private readonly start = performance.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly io: Io,
    private readonly label: string,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  static for(io: Io, label: string, total: number, quiet: boolean): Progress {
    return new Progress(io, label, total, io.errIsTty && !quiet);
  }

  /** Reports `done` units of `total`; cheap to call often. */
  update(done: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.start < 1000 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = (now - this.start) / 1000;
    const eta = frac > 0 ? secs / frac - secs : 0;
    this.io.err(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${secs.toFixed(0)}s elapsed, ~${eta.toFixed(0)}s left `,
    );
    this.drawn = true;
  }

  /** Clears the bar, if one was drawn. */
  done(): void {
    if (this.drawn) this.io.err('\r\x1b[2K');
    this.drawn = false;
  }
}
