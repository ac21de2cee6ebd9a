import type { SparseMatrix } from "./types";

/** A numeric typed array as read from a file. */
export type NumericArray =
  | Float64Array
  | Float32Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

/** MATLAB class of a variable. */
export type MatClass =
  | "double"
  | "single"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "logical"
  | "char"
  | "cell"
  | "struct"
  | "object"
  | "unknown";

/** One variable of a MAT file. */
export interface MatArray {
  readonly name: string;
  readonly class: MatClass;
  /** MATLAB dimensions (rows, cols, ...). */
  readonly dims: readonly number[];
  /**
   * Dense numeric data in row-major (C) order over `dims`; absent for sparse, char, cell, struct.
   * The array type follows the class, except that a double stored compactly as integers keeps
   * its (exact) integer array.
   */
  readonly data?: NumericArray;
  /** Sparse matrices, as CSR rows. */
  readonly sparse?: SparseMatrix;
  /** Char arrays, as a string (column-major characters joined). */
  readonly text?: string;
  readonly complex?: boolean;
  /** False when the variable's data was not decoded (not requested in `variables`). */
  readonly loaded: boolean;
}

/** A MAT file's variables. `format` is "MAT v5", "MAT v7.3" or "HDF5" (no MATLAB attributes). */
export interface MatFile {
  readonly path: string;
  readonly format: "MAT v5" | "MAT v7.3" | "HDF5";
  /** The 116-byte descriptive text of the header (empty for plain HDF5). */
  readonly header: string;
  readonly variables: Readonly<Record<string, MatArray>>;
}

/** Reorder column-major data (first index fastest) into row-major (C) order over the same dims. */
export function columnToRowMajor<T extends NumericArray>(src: T, dims: readonly number[]): T {
  const n = src.length;
  const out = new (src.constructor as new (n: number) => T)(n);
  if (dims.length <= 1 || n === 0) {
    out.set(src as never);
    return out;
  }
  if (dims.length === 2) {
    // Blocked transpose: 32×32 tiles keep both reads and writes in cache.
    const [rows, cols] = dims;
    const B = 32;
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(c0 + B, cols);
      for (let r0 = 0; r0 < rows; r0 += B) {
        const r1 = Math.min(r0 + B, rows);
        for (let c = c0; c < c1; c++) {
          const base = c * rows;
          for (let r = r0; r < r1; r++) out[r * cols + c] = src[base + r];
        }
      }
    }
    return out;
  }
  // General N-d: walk source in column-major order, computing the row-major offset.
  const nd = dims.length;
  const rowStride = new Array<number>(nd);
  rowStride[nd - 1] = 1;
  for (let k = nd - 2; k >= 0; k--) rowStride[k] = rowStride[k + 1] * dims[k + 1];
  const idx = new Array<number>(nd).fill(0);
  let dst = 0;
  for (let i = 0; i < n; i++) {
    out[dst] = src[i];
    for (let k = 0; k < nd; k++) {
      idx[k]++;
      dst += rowStride[k];
      if (idx[k] < dims[k]) break;
      dst -= rowStride[k] * dims[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Describe variables as `name (class rows×cols)` for error messages. */
export function describeVariables(vars: Readonly<Record<string, MatArray>>): string {
  const parts = Object.values(vars).map(
    (v) => `${v.name} (${v.sparse ? "sparse " : ""}${v.class} ${v.dims.join("×")})`,
  );
  return parts.length ? parts.join(", ") : "no variables";
}
