/**
 * Label inputs and their packed form.
 *
 * Two shapes are accepted, structurally (no dependency on `@cmh/datasets`):
 * - multi-hot rows `{ rows, cols, data }` with `data[r * cols + c]` equal to 1 when item `r` carries
 *   label `c` and 0 otherwise (this is `@cmh/datasets`' `LabelMatrix`);
 * - a single-label class vector: any `ArrayLike<number>` of integer class ids, one per item (e.g.
 *   uci-mfeat's `L_tr`), turned into one-hot rows over the classes seen in query and database.
 *
 * Relevance is "shares at least one label". Each row is packed into `ceil(labels / 32)` 32-bit words
 * so that the test for one pair is `(a & b) !== 0` per word.
 */

/** Multi-hot label rows (structurally `@cmh/datasets`' `LabelMatrix`): 1 = item carries label. */
export interface MultiHotLabels {
  readonly rows: number;
  readonly cols: number;
  readonly data: ArrayLike<number>;
}

/** One integer class id per item (single-label data); equal ids are relevant to each other. */
export type ClassLabels = ArrayLike<number>;

/** Labels as accepted by the metrics: multi-hot rows or a class-id vector. */
export type LabelInput = MultiHotLabels | ClassLabels;

/** Label rows packed as bitmasks: row `r` is `masks[r * wordsPerRow .. (r + 1) * wordsPerRow)`. */
export interface PackedLabels {
  /** Number of items (rows). */
  readonly n: number;
  /** Number of distinct labels (bits used per row). */
  readonly numLabels: number;
  /** 32-bit words per row: `ceil(numLabels / 32)` (at least 1). */
  readonly wordsPerRow: number;
  /** Packed rows; bit `c & 31` of word `c >>> 5` of a row is label `c`. */
  readonly masks: Uint32Array;
}

/** True when `x` has the multi-hot shape `{ rows, cols, data }`. */
export function isMultiHot(x: unknown): x is MultiHotLabels {
  return (
    typeof x === "object" &&
    x !== null &&
    "rows" in x &&
    "cols" in x &&
    "data" in x &&
    typeof (x as MultiHotLabels).data === "object"
  );
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === "object") return `an object (${(x as object).constructor?.name ?? "Object"})`;
  return typeof x;
}

function checkClassVector(x: unknown, what: string): asserts x is ClassLabels {
  if (
    typeof x !== "object" ||
    x === null ||
    typeof (x as ArrayLike<number>).length !== "number" ||
    typeof x === "string"
  ) {
    throw new TypeError(
      `${what} must be multi-hot rows { rows, cols, data } or an array of integer class ids, got ${describe(x)}`,
    );
  }
}

function packMultiHot(x: MultiHotLabels, what: string): PackedLabels {
  const { rows, cols, data } = x;
  if (!Number.isInteger(rows) || rows < 0) {
    throw new RangeError(`${what}.rows must be a non-negative integer, got ${String(rows)}`);
  }
  if (!Number.isInteger(cols) || cols < 1) {
    throw new RangeError(`${what}.cols must be a positive integer, got ${String(cols)}`);
  }
  if (data == null || typeof data.length !== "number") {
    throw new TypeError(`${what}.data must be an array-like of 0/1 values`);
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `${what}.data has ${data.length} values, expected rows * cols = ${rows} * ${cols} = ${rows * cols}`,
    );
  }
  const w = (cols + 31) >>> 5;
  const masks = new Uint32Array(rows * w);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const mb = r * w;
    for (let c = 0; c < cols; c++) {
      const v = data[base + c];
      if (v === 1) masks[mb + (c >>> 5)] |= 1 << (c & 31);
      else if (v !== 0) {
        throw new RangeError(
          `${what} must be multi-hot (0 or 1), got ${String(v)} at row ${r}, column ${c}` +
            (cols === 1 ? " (for single-label class ids pass a 1-D array, e.g. labels.data)" : ""),
        );
      }
    }
  }
  return { n: rows, numLabels: cols, wordsPerRow: w, masks };
}

function packClasses(x: ClassLabels, index: Map<number, number>, numLabels: number): PackedLabels {
  const n = x.length;
  const w = (numLabels + 31) >>> 5;
  const masks = new Uint32Array(n * w);
  for (let r = 0; r < n; r++) {
    const c = index.get(x[r]) as number;
    masks[r * w + (c >>> 5)] |= 1 << (c & 31);
  }
  return { n, numLabels, wordsPerRow: w, masks };
}

/**
 * Pack query and database labels into bitmasks with one shared label space. Both must be the same
 * shape: multi-hot with the same `cols`, or class-id vectors (classes numbered by sorted id over
 * both sets).
 */
export function packLabelPair(
  queryLabels: LabelInput,
  databaseLabels: LabelInput,
): { query: PackedLabels; database: PackedLabels } {
  const qm = isMultiHot(queryLabels);
  const dm = isMultiHot(databaseLabels);
  if (qm !== dm) {
    throw new TypeError(
      `queryLabels and databaseLabels must have the same shape: got ${qm ? "multi-hot rows" : "a class-id vector"} for queries and ${dm ? "multi-hot rows" : "a class-id vector"} for the database`,
    );
  }
  if (qm && dm) {
    const q = queryLabels as MultiHotLabels;
    const d = databaseLabels as MultiHotLabels;
    if (q.cols !== d.cols) {
      throw new RangeError(
        `label count mismatch: queryLabels has ${q.cols} columns, databaseLabels has ${d.cols}`,
      );
    }
    return { query: packMultiHot(q, "queryLabels"), database: packMultiHot(d, "databaseLabels") };
  }
  checkClassVector(queryLabels, "queryLabels");
  checkClassVector(databaseLabels, "databaseLabels");
  const ids = new Set<number>();
  for (const [x, what] of [
    [queryLabels, "queryLabels"],
    [databaseLabels, "databaseLabels"],
  ] as const) {
    for (let r = 0; r < x.length; r++) {
      const v = x[r];
      if (typeof v !== "number" || !Number.isInteger(v)) {
        throw new RangeError(`${what} class ids must be integers, got ${String(v)} at index ${r}`);
      }
      ids.add(v);
    }
  }
  const sorted = [...ids].sort((a, b) => a - b);
  const index = new Map<number, number>(sorted.map((v, i) => [v, i]));
  const numLabels = Math.max(1, sorted.length);
  return {
    query: packClasses(queryLabels, index, numLabels),
    database: packClasses(databaseLabels, index, numLabels),
  };
}
