/**
 * Errors a user of @cvhrc/core can cause. Each says what was wrong and where; bugs in a
 * host (for example a fake fault on an entity the tracker never protected) are reported
 * as {@link TrackerStateError} so that they fail loudly.
 */
export class CvhrcCoreError extends Error {
  override name = 'CvhrcCoreError';
}

/** A hit-ratio curve was built from points that break its rules. */
export class CurveValidationError extends CvhrcCoreError {
  override name = 'CurveValidationError';
  constructor(
    message: string,
    /** Index of the offending point, or -1 when the curve as a whole is wrong. */
    readonly index: number,
    /** The field that is wrong. */
    readonly field: 'size' | 'hitRatio' | 'points',
  ) {
    super(message);
  }
}

/** A curve in CSV or JSON could not be read. */
export class CurveParseError extends CvhrcCoreError {
  override name = 'CurveParseError';
  constructor(
    /** What was wrong, without the location. */
    readonly reason: string,
    /** Where the text came from (a file name, or a description such as "csv"). */
    readonly source: string,
    /** 1-based line for CSV, 1-based point number for JSON; 0 when not applicable. */
    readonly line: number,
  ) {
    super(line > 0 ? `${source}:${line}: ${reason}` : `${source}: ${reason}`);
  }
}

/** An option or argument is out of range. */
export class InvalidOptionError extends CvhrcCoreError {
  override name = 'InvalidOptionError';
  constructor(
    /** The option or argument name. */
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/** A page or entity id is not a non-negative integer no larger than 2^53 - 1. */
export class InvalidPageError extends CvhrcCoreError {
  override name = 'InvalidPageError';
  constructor(readonly page: number) {
    super(`page id ${String(page)} is not an integer in [0, 2^53 - 1]`);
  }
}

/** The host broke the tracker's protocol (for example a fake fault on an unprotected entity). */
export class TrackerStateError extends CvhrcCoreError {
  override name = 'TrackerStateError';
  constructor(
    readonly entity: number,
    message: string,
  ) {
    super(`entity ${entity}: ${message}`);
  }
}
