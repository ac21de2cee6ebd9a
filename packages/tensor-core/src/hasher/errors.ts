/** Raised for an invalid config, input or call order. */
export class HasherError extends Error {
  override readonly name: string = "HasherError";
}

/**
 * Raised for an invalid method config or preset: the message names the method, the key, the value
 * and what is expected (`UCH: config.lr must be a number > 0, got -1`).
 */
export class ConfigError extends HasherError {
  override readonly name: string = "ConfigError";
}

/**
 * The "model not built" guard: returns `value` when it is set, otherwise throws a HasherError
 * naming the method and what is missing (`UCH: model not built: call fit(train) or UCH.load(dir) first`).
 */
export function requireBuilt<T>(method: string, value: T | null | undefined, what = "model"): T {
  if (value === null || value === undefined) {
    throw new HasherError(
      `${method}: ${what} not built: call fit(train) or ${method}.load(dir) first`,
    );
  }
  return value;
}

/**
 * The minimum-training-rows guard: throws a HasherError when `rows < min`, naming the method, the
 * count and why the method needs that many (`CMIMH.fit needs at least 2 training pairs (in-batch
 * negatives), got 1`).
 */
export function checkTrainingRows(method: string, rows: number, min: number, why?: string): void {
  if (!Number.isInteger(min) || min < 1)
    throw new RangeError(`checkTrainingRows: min must be an integer >= 1, got ${min}`);
  if (rows < min) {
    throw new HasherError(
      `${method}.fit needs at least ${min} training pairs${why ? ` (${why})` : ""}, got ${rows}`,
    );
  }
}
