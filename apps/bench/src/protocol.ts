/** Messages between the runner and a cell's child process. */
import type { FitProgress } from "@cmh/tensor-core";
import type { CellOutcome, CellSpec } from "./cell";
import type { DatasetIdentity, DatasetSpec } from "./dataset";

/** Runner -> cell process: run this cell. */
export interface RunCellMessage {
  readonly type: "run";
  readonly spec: CellSpec;
  /** A file written by `writeDatasetCache` for the cell's dataset, when the runner made one. */
  readonly datasetCache?: string;
  /**
   * `dataHash` the loaded data must have (queued cells: the coordinator's); another hash fails
   * the cell naming both, before any training.
   */
  readonly expectDataHash?: string;
}

/**
 * Queue worker -> helper process: load the dataset and write its flat cache file (kept out of the
 * queue worker's own event loop, which must keep renewing its job locks).
 */
export interface WriteCacheMessage {
  readonly type: "cache";
  readonly dataset: DatasetSpec;
  readonly file: string;
}

/** Cell process -> runner. */
export type WorkerMessage =
  | {
      readonly type: "backend";
      readonly name: string;
      readonly provider?: string;
      readonly message: string;
    }
  | { readonly type: "progress"; readonly event: FitProgress }
  | { readonly type: "cached"; readonly file: string | null; readonly error?: string }
  | {
      readonly type: "done";
      readonly outcome: CellOutcome;
      readonly identity: DatasetIdentity | null;
      /** Peak resident set of the cell process, bytes. */
      readonly peakRssBytes: number;
    };
