import { DatasetError } from "./errors";
import type { CrossModalSet, LabelMatrix, Matrix, SparseMatrix, Split } from "./types";

function checkDims(what: string, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new DatasetError(
      `${what}: rows and cols must be non-negative integers, got rows=${rows}, cols=${cols}`,
      { rows, cols },
    );
  }
}

/** Build a dense row-major Matrix, checking that `data` holds exactly rows*cols values. */
export function matrix(
  rows: number,
  cols: number,
  data?: Float32Array | ArrayLike<number>,
): Matrix {
  checkDims("matrix", rows, cols);
  if (data === undefined) return { rows, cols, data: new Float32Array(rows * cols) };
  if (data.length !== rows * cols) {
    throw new DatasetError(
      `matrix: data has ${data.length} values, expected rows*cols = ${rows}*${cols} = ${rows * cols}`,
      { rows, cols, length: data.length },
    );
  }
  return { rows, cols, data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

/** Build a multi-hot LabelMatrix, checking the size and that every entry is 0 or 1. */
export function labelMatrix(
  rows: number,
  cols: number,
  data: Uint8Array | ArrayLike<number>,
): LabelMatrix {
  checkDims("labelMatrix", rows, cols);
  if (data.length !== rows * cols) {
    throw new DatasetError(
      `labelMatrix: data has ${data.length} values, expected rows*cols = ${rows}*${cols} = ${rows * cols}`,
    );
  }
  const out = data instanceof Uint8Array ? data : new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== 0 && v !== 1) {
      const r = Math.floor(i / cols);
      throw new DatasetError(
        `labelMatrix: labels must be 0 or 1 (multi-hot), found ${v} at row ${r}, col ${i - r * cols}`,
        { row: r, col: i - r * cols, value: v },
      );
    }
    out[i] = v;
  }
  return { rows, cols, data: out };
}

/** What `matrixProblem` checks beyond the shape: float64 data allowed, values finite. */
export interface MatrixCheck {
  /** Accept a Float64Array as well as a Float32Array (default false). */
  readonly float64?: boolean;
  /** Check that every value is finite (default true). */
  readonly finite?: boolean;
}

/** The first problem `matrixProblem` found: a message, and the offending entry for bad values. */
export interface MatrixProblem {
  /** What is wrong, without the matrix's name (callers prefix it). */
  readonly message: string;
  /** Row, column and value of the first non-finite entry, when that is the problem. */
  readonly row?: number;
  readonly col?: number;
  readonly value?: number;
}

/**
 * The one dense-matrix check of the project: `{rows, cols, data}` with integer rows and cols ≥ 0,
 * a Float32Array (or Float64Array with `float64`) of exactly rows*cols values and, unless
 * `finite: false`, no NaN/Inf. Returns the first problem, or undefined for a well-formed matrix,
 * so that each package throws its own error class.
 */
export function matrixProblem(m: unknown, check: MatrixCheck = {}): MatrixProblem | undefined {
  const arrays = check.float64 ? "Float32Array or Float64Array" : "Float32Array";
  if (m === null || typeof m !== "object") {
    return { message: `expected a Matrix {rows, cols, data: ${arrays}}, got ${String(m)}` };
  }
  const { rows, cols, data } = m as { rows: unknown; cols: unknown; data: unknown };
  if (
    !Number.isInteger(rows) ||
    !Number.isInteger(cols) ||
    (rows as number) < 0 ||
    (cols as number) < 0
  ) {
    return {
      message: `rows and cols must be non-negative integers, got rows=${String(rows)}, cols=${String(cols)}`,
    };
  }
  if (!(data instanceof Float32Array || (check.float64 && data instanceof Float64Array))) {
    return { message: `data must be a ${arrays}` };
  }
  const r = rows as number;
  const c = cols as number;
  if (data.length !== r * c) {
    return {
      message: `data has ${data.length} values, expected rows*cols = ${r}*${c} = ${r * c}`,
    };
  }
  if (check.finite === false) return undefined;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is 0 for finite v and NaN for NaN/±Inf: one comparison per element.
    if (v - v !== 0) {
      const row = Math.floor(i / c);
      return {
        message: `non-finite value ${v} at row ${row}, col ${i - row * c} (of ${r}×${c})`,
        row,
        col: i - row * c,
        value: v,
      };
    }
  }
  return undefined;
}

/**
 * Check a Matrix: integer shape, data length, and every value finite. Throws a DatasetError naming
 * the first NaN/Inf by row and column. `what` names the matrix in the message (e.g. "image").
 */
export function validateMatrix(m: Matrix, what = "matrix"): void {
  const p = matrixProblem(m);
  if (!p) return;
  const hint = p.value === undefined ? "" : "; clean or impute the features first";
  throw new DatasetError(
    `${what}: ${p.message}${hint}`,
    p.value === undefined ? undefined : { row: p.row, col: p.col, value: p.value },
  );
}

/** Check a CSR SparseMatrix: monotone indptr, column indices in range and finite values. */
export function validateSparse(s: SparseMatrix, what = "sparse matrix"): void {
  checkDims(what, s.rows, s.cols);
  if (s.indptr.length !== s.rows + 1) {
    throw new DatasetError(
      `${what}: indptr has length ${s.indptr.length}, expected rows+1 = ${s.rows + 1}`,
    );
  }
  const nnz = s.indptr[s.rows];
  if (s.indptr[0] !== 0 || s.indices.length !== nnz || s.values.length !== nnz) {
    throw new DatasetError(
      `${what}: indptr must start at 0 and end at nnz; got indptr[0]=${s.indptr[0]}, indptr[rows]=${nnz}, ${s.indices.length} indices, ${s.values.length} values`,
    );
  }
  for (let r = 0; r < s.rows; r++) {
    if (s.indptr[r + 1] < s.indptr[r])
      throw new DatasetError(`${what}: indptr decreases at row ${r}`);
    for (let k = s.indptr[r]; k < s.indptr[r + 1]; k++) {
      if (s.indices[k] >= s.cols) {
        throw new DatasetError(
          `${what}: column index ${s.indices[k]} at row ${r} is out of range [0, ${s.cols})`,
        );
      }
      const v = s.values[k];
      if (v - v !== 0) {
        throw new DatasetError(`${what}: non-finite value ${v} at row ${r}, col ${s.indices[k]}`);
      }
    }
  }
}

/**
 * Check a CrossModalSet: non-empty, same number of rows in image, text and labels, finite values,
 * labels 0/1 with a consistent width. Throws a DatasetError that names the set and the problem.
 */
export function validateCrossModalSet(
  set: CrossModalSet,
  options: { requireLabels?: boolean } = {},
): void {
  const name = set?.name ?? "(unnamed set)";
  if (!set?.image || !set.text) {
    throw new DatasetError(`CrossModalSet "${name}": both image and text matrices are required`);
  }
  validateMatrix(set.image, `CrossModalSet "${name}" image`);
  validateMatrix(set.text, `CrossModalSet "${name}" text`);
  if (set.image.rows === 0) {
    throw new DatasetError(
      `CrossModalSet "${name}" is empty (0 items); at least one item is needed`,
    );
  }
  if (set.image.cols === 0 || set.text.cols === 0) {
    throw new DatasetError(
      `CrossModalSet "${name}": a modality has 0 features (image ${set.image.rows}×${set.image.cols}, text ${set.text.rows}×${set.text.cols})`,
    );
  }
  if (set.image.rows !== set.text.rows) {
    throw new DatasetError(
      `CrossModalSet "${name}": image has ${set.image.rows} rows but text has ${set.text.rows}; row i of each must describe the same item`,
      { imageRows: set.image.rows, textRows: set.text.rows },
    );
  }
  const L = set.labels;
  if (!L) {
    if (options.requireLabels) {
      throw new DatasetError(`CrossModalSet "${name}" has no labels, but labels are required here`);
    }
    return;
  }
  if (L.rows !== set.image.rows) {
    throw new DatasetError(
      `CrossModalSet "${name}": labels have ${L.rows} rows but the modalities have ${set.image.rows}`,
      { labelRows: L.rows, rows: set.image.rows },
    );
  }
  if (L.cols === 0) throw new DatasetError(`CrossModalSet "${name}": labels have 0 columns`);
  if (L.data.length !== L.rows * L.cols) {
    throw new DatasetError(
      `CrossModalSet "${name}": label data has ${L.data.length} entries, expected ${L.rows}×${L.cols} = ${L.rows * L.cols} (wrong label width?)`,
    );
  }
  for (let i = 0; i < L.data.length; i++) {
    if (L.data[i] > 1) {
      const r = Math.floor(i / L.cols);
      throw new DatasetError(
        `CrossModalSet "${name}": labels must be multi-hot 0/1, found ${L.data[i]} at row ${r}, col ${i - r * L.cols}`,
      );
    }
  }
}

/** Convert CSR rows to a dense Matrix. */
export function toDense(s: SparseMatrix): Matrix {
  validateSparse(s);
  const out = new Float32Array(s.rows * s.cols);
  for (let r = 0; r < s.rows; r++) {
    const base = r * s.cols;
    for (let k = s.indptr[r]; k < s.indptr[r + 1]; k++) out[base + s.indices[k]] += s.values[k];
  }
  return { rows: s.rows, cols: s.cols, data: out };
}

/** Convert a dense Matrix to CSR rows, keeping non-zero entries only. */
export function toSparse(m: Matrix): SparseMatrix {
  let nnz = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i] !== 0) nnz++;
  const indptr = new Uint32Array(m.rows + 1);
  const indices = new Uint32Array(nnz);
  const values = new Float32Array(nnz);
  let k = 0;
  for (let r = 0; r < m.rows; r++) {
    const base = r * m.cols;
    for (let c = 0; c < m.cols; c++) {
      const v = m.data[base + c];
      if (v !== 0) {
        indices[k] = c;
        values[k++] = v;
      }
    }
    indptr[r + 1] = k;
  }
  return { rows: m.rows, cols: m.cols, indptr, indices, values };
}

/**
 * Build CSR rows from coordinate triplets (any order; duplicates are summed), e.g. from MATLAB's
 * column-compressed sparse storage.
 */
export function fromSparse(
  rows: number,
  cols: number,
  rowIndex: ArrayLike<number>,
  colIndex: ArrayLike<number>,
  values: ArrayLike<number>,
): SparseMatrix {
  checkDims("fromSparse", rows, cols);
  const n = rowIndex.length;
  if (colIndex.length !== n || values.length !== n) {
    throw new DatasetError(
      `fromSparse: rowIndex, colIndex and values must have equal lengths, got ${n}, ${colIndex.length}, ${values.length}`,
    );
  }
  const counts = new Uint32Array(rows + 1);
  for (let i = 0; i < n; i++) {
    const r = rowIndex[i];
    const c = colIndex[i];
    if (
      !(r >= 0 && r < rows && c >= 0 && c < cols) ||
      !Number.isInteger(r) ||
      !Number.isInteger(c)
    ) {
      throw new DatasetError(`fromSparse: entry ${i} at (${r}, ${c}) is outside ${rows}×${cols}`);
    }
    counts[r + 1]++;
  }
  for (let r = 0; r < rows; r++) counts[r + 1] += counts[r];
  const fill = counts.slice(0, rows);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fill[rowIndex[i]]++] = i;
  // Sort each row by column and sum duplicates.
  const indptr = new Uint32Array(rows + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let r = 0; r < rows; r++) {
    const seg = Array.from(order.subarray(counts[r], counts[r + 1]));
    seg.sort((a, b) => colIndex[a] - colIndex[b] || a - b);
    for (const i of seg) {
      const c = colIndex[i];
      if (idx.length > indptr[r] && idx[idx.length - 1] === c) val[val.length - 1] += values[i];
      else {
        idx.push(c);
        val.push(values[i]);
      }
    }
    indptr[r + 1] = idx.length;
  }
  return { rows, cols, indptr, indices: Uint32Array.from(idx), values: Float32Array.from(val) };
}

function checkIndices(indices: ArrayLike<number>, n: number, what: string): void {
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= n) {
      throw new DatasetError(`${what}: index ${k} at position ${i} is out of range [0, ${n})`, {
        index: k,
        position: i,
        n,
      });
    }
  }
}

/** Copy the given rows (in the given order) of a Matrix. */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  checkIndices(indices, m.rows, "selectRows");
  const out = new Float32Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i] * m.cols;
    out.set(m.data.subarray(start, start + m.cols), i * m.cols);
  }
  return { rows: indices.length, cols: m.cols, data: out };
}

/** Copy the given rows of a LabelMatrix. */
export function selectLabelRows(m: LabelMatrix, indices: ArrayLike<number>): LabelMatrix {
  checkIndices(indices, m.rows, "selectLabelRows");
  const out = new Uint8Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i] * m.cols;
    out.set(m.data.subarray(start, start + m.cols), i * m.cols);
  }
  return { rows: indices.length, cols: m.cols, data: out };
}

/** Copy the given rows of a CSR SparseMatrix. */
export function selectSparseRows(s: SparseMatrix, indices: ArrayLike<number>): SparseMatrix {
  checkIndices(indices, s.rows, "selectSparseRows");
  let nnz = 0;
  for (let i = 0; i < indices.length; i++) nnz += s.indptr[indices[i] + 1] - s.indptr[indices[i]];
  const indptr = new Uint32Array(indices.length + 1);
  const idx = new Uint32Array(nnz);
  const val = new Float32Array(nnz);
  let k = 0;
  for (let i = 0; i < indices.length; i++) {
    const a = s.indptr[indices[i]];
    const b = s.indptr[indices[i] + 1];
    idx.set(s.indices.subarray(a, b), k);
    val.set(s.values.subarray(a, b), k);
    k += b - a;
    indptr[i + 1] = k;
  }
  return { rows: indices.length, cols: s.cols, indptr, indices: idx, values: val };
}

/** The items at `indices` of a CrossModalSet (image, text and labels together). */
export function subset(
  set: CrossModalSet,
  indices: ArrayLike<number>,
  name?: string,
): CrossModalSet {
  if (set.image.rows !== set.text.rows) validateCrossModalSet(set);
  const out: CrossModalSet = {
    name: name ?? set.name,
    image: selectRows(set.image, indices),
    text: selectRows(set.text, indices),
    ...(set.labels ? { labels: selectLabelRows(set.labels, indices) } : {}),
    ...(set.synthetic ? { synthetic: true } : {}),
  };
  return out;
}

/** Split a CrossModalSet into its train, query and database parts (names get a `/part` suffix). */
export function applySplit(
  set: CrossModalSet,
  split: Split,
): { train: CrossModalSet; query: CrossModalSet; database: CrossModalSet } {
  const n = set.image.rows;
  if (split.nItems !== undefined && split.nItems !== n) {
    throw new DatasetError(
      `applySplit: split "${split.protocol}" (seed ${split.seed}) was made for ${split.nItems} items but set "${set.name}" has ${n}`,
      { splitItems: split.nItems, setItems: n },
    );
  }
  return {
    train: subset(set, split.train, `${set.name}/train`),
    query: subset(set, split.query, `${set.name}/query`),
    database: subset(set, split.database, `${set.name}/database`),
  };
}

/** Concatenate the rows of matrices with equal column counts. */
export function concatRows(parts: readonly Matrix[]): Matrix {
  if (parts.length === 0) throw new DatasetError("concatRows: no matrices given");
  const cols = parts[0].cols;
  let rows = 0;
  for (const p of parts) {
    if (p.cols !== cols) {
      throw new DatasetError(`concatRows: column counts differ (${cols} vs ${p.cols})`);
    }
    rows += p.rows;
  }
  const data = new Float32Array(rows * cols);
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { rows, cols, data };
}

/** Bytes held by a set's typed arrays (image + text + labels). */
export function setBytes(set: CrossModalSet): number {
  return set.image.data.byteLength + set.text.data.byteLength + (set.labels?.data.byteLength ?? 0);
}
