/** Dense row-major float matrix: element (r, c) is `data[r * cols + c]`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Sparse rows (CSR) for bag-of-words text: row r's entries are `indptr[r]..indptr[r+1]`. */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Uint32Array;
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

/** Multi-hot label rows: `data[r * cols + c]` is 1 when item r carries label c, else 0. */
export interface LabelMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint8Array;
}

/** Paired image/text items, row i of `image` describing the same object as row i of `text`. */
export interface CrossModalSet {
  readonly name: string;
  readonly image: Matrix;
  readonly text: Matrix;
  /** Multi-hot labels: for evaluation, and for supervised methods only. */
  readonly labels?: LabelMatrix;
  /** True for generated data: reports and leaderboards must label results on it as synthetic. */
  readonly synthetic?: boolean;
}

/** A named, seeded split of a CrossModalSet into row-index lists. */
export interface Split {
  readonly protocol: string;
  readonly seed: number;
  readonly train: Uint32Array;
  readonly query: Uint32Array;
  readonly database: Uint32Array;
  /** Number of items in the set the split indexes (checked when the split is applied). */
  readonly nItems?: number;
}
