import type { Matrix } from "@cmh/datasets";
import { tf } from "../backend/tf";
import type { Rng } from "./rng";

/** Options for `batchIndices`. */
export interface BatchOptions {
  readonly batchSize: number;
  /** Shuffle with this seeded generator each call (default: no shuffle, in order). */
  readonly rng?: Rng;
  /** Drop a last batch smaller than batchSize (PyTorch drop_last); default false. */
  readonly dropLast?: boolean;
}

/** Row-index mini-batches over [0, n): a new shuffled order each call when `rng` is given. */
export function batchIndices(n: number, options: BatchOptions): Uint32Array[] {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`n must be a non-negative integer, got ${n}`);
  const order = options.rng
    ? options.rng.permutation(n)
    : Uint32Array.from({ length: n }, (_, i) => i);
  const out: Uint32Array[] = [];
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    if (options.dropLast && e - s < batchSize && out.length > 0) break;
    out.push(order.subarray(s, e));
  }
  return out;
}

/** Copy the rows `idx` of `m` into a new Float32Array (row-major). */
export function gatherRows(m: Matrix, idx: ArrayLike<number>): Float32Array {
  const { cols, data } = m;
  const out = new Float32Array(idx.length * cols);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i] as number;
    if (r >= m.rows)
      throw new RangeError(`row index ${r} out of range for a matrix of ${m.rows} rows`);
    out.set(data.subarray(r * cols, (r + 1) * cols), i * cols);
  }
  return out;
}

/** A [idx.length, cols] tensor of the rows `idx` of `m` (only those rows are copied). */
export function rowsTensor(m: Matrix, idx: ArrayLike<number>): tf.Tensor2D {
  return tf.tensor2d(gatherRows(m, idx), [idx.length, m.cols]);
}

/** The whole matrix as a [rows, cols] tensor (shares nothing with `m.data`). */
export function matrixTensor(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(m.data, [m.rows, m.cols]);
}

/** A [rows, cols] tensor of rows start..end-1 (a view copy of a contiguous block). */
export function sliceRowsTensor(m: Matrix, start: number, end: number): tf.Tensor2D {
  return tf.tensor2d(m.data.subarray(start * m.cols, end * m.cols), [end - start, m.cols]);
}

/** Read a [rows, cols] tensor back into a `Matrix`. */
export function tensorToMatrix(t: tf.Tensor): Matrix {
  if (t.rank !== 2)
    throw new RangeError(`expected a rank-2 tensor, got shape [${t.shape.join(", ")}]`);
  const data = t.dataSync() as Float32Array;
  return {
    rows: t.shape[0] as number,
    cols: t.shape[1] as number,
    data: data instanceof Float32Array ? data : Float32Array.from(data),
  };
}
