/**
 * Numbers the papers report, shown beside ours in the leaderboard when the dataset, protocol,
 * direction, bit length and metric variant all match. Method authors add rows for their method
 * (values as fractions in [0, 1], with the table they come from).
 */

/** A retrieval direction, as in `@cmh/metrics`. */
export type Direction = "i2t" | "t2i" | "i2i" | "t2t";

/** One reported number. */
export interface PaperResult {
  /** Registry name of the method, e.g. "UGACH". */
  readonly method: string;
  /** Dataset name as given to `--dataset`, e.g. "mirflickr25k". */
  readonly dataset: string;
  /** Protocol name from `@cmh/datasets`' PROTOCOLS, e.g. "mirflickr25k-5k". */
  readonly protocol: string;
  readonly direction: Direction;
  readonly bits: number;
  /** Metric variant, e.g. "mAP@all", "mAP@50", "mAP@1000". */
  readonly metric: string;
  /** The reported value as a fraction (0.712, not 71.2). */
  readonly value: number;
  /** Where it comes from, e.g. "UGACH (AAAI 2018) Table 1". */
  readonly source: string;
}

/** Every paper number known to the bench (one row per reported cell). */
export const PAPER_RESULTS: readonly PaperResult[] = [];

/** The paper's number for one leaderboard cell, if reported. */
export function findPaperResult(
  query: Omit<PaperResult, "value" | "source">,
  table: readonly PaperResult[] = PAPER_RESULTS,
): PaperResult | undefined {
  return table.find(
    (r) =>
      r.method.toLowerCase() === query.method.toLowerCase() &&
      r.dataset === query.dataset &&
      r.protocol === query.protocol &&
      r.direction === query.direction &&
      r.bits === query.bits &&
      r.metric === query.metric,
  );
}
