import { Rng } from "@cmh/hamming-index";
import { DatasetError } from "./errors";
import { toSparse } from "./matrix";
import type { CrossModalSet, LabelMatrix, Matrix } from "./types";

/** Feature statistics of one modality. */
export interface ModalityStats {
  dims: number;
  /** Fraction of zero entries. */
  sparsity: number;
  /** Mean non-zero entries per row. */
  nnzPerRow: number;
  /** Mean and standard deviation of the cosine similarity of random item pairs. */
  cosineMean: number;
  cosineStd: number;
  /** Fraction of the k nearest neighbours (cosine, self excluded) sharing a label with the query. */
  knnLabelPrecision: number | null;
}

/** Statistics of a CrossModalSet, as DESIGN.md asks the default dataset to report. */
export interface DatasetStats {
  items: number;
  labels: number | null;
  labelsPerItem: number | null;
  /** Probability that two random items share a label (the mAP of random codes). */
  labelOverlapBaseRate: number | null;
  image: ModalityStats;
  text: ModalityStats;
  /** Bytes held by the typed arrays. */
  bytes: number;
}

function norms(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    const b = r * m.cols;
    for (let c = 0; c < m.cols; c++) s += m.data[b + c] * m.data[b + c];
    out[r] = Math.sqrt(s);
  }
  return out;
}

function dot(m: Matrix, a: number, b: number): number {
  let s = 0;
  const pa = a * m.cols;
  const pb = b * m.cols;
  for (let c = 0; c < m.cols; c++) s += m.data[pa + c] * m.data[pb + c];
  return s;
}

function share(L: LabelMatrix, a: number, b: number): boolean {
  const pa = a * L.cols;
  const pb = b * L.cols;
  for (let c = 0; c < L.cols; c++) if (L.data[pa + c] & L.data[pb + c]) return true;
  return false;
}

function modalityStats(
  m: Matrix,
  L: LabelMatrix | undefined,
  pairs: number,
  knnQueries: number,
  k: number,
  rng: Rng,
): ModalityStats {
  let zeros = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i] === 0) zeros++;
  const nrm = norms(m);
  let s = 0;
  let s2 = 0;
  let cnt = 0;
  for (let p = 0; p < pairs; p++) {
    const a = rng.int(m.rows);
    const b = rng.int(m.rows);
    if (a === b || nrm[a] === 0 || nrm[b] === 0) continue;
    const c = dot(m, a, b) / (nrm[a] * nrm[b]);
    s += c;
    s2 += c * c;
    cnt++;
  }
  const mean = cnt ? s / cnt : 0;
  const std = cnt ? Math.sqrt(Math.max(0, s2 / cnt - mean * mean)) : 0;
  let knn: number | null = null;
  if (L && knnQueries > 0 && m.rows > k) {
    let hits = 0;
    let total = 0;
    const sims = new Float64Array(m.rows);
    const order = new Uint32Array(m.rows);
    // Sparse rows (bag of words) use a scatter of the query row: cost ∝ non-zeros.
    const csr = zeros > m.data.length / 2 ? toSparse(m) : null;
    const qrow = new Float64Array(m.cols);
    for (let q = 0; q < knnQueries; q++) {
      const a = rng.int(m.rows);
      if (csr) for (let c = 0; c < m.cols; c++) qrow[c] = m.data[a * m.cols + c];
      for (let b = 0; b < m.rows; b++) {
        let d: number;
        if (csr) {
          d = 0;
          for (let t = csr.indptr[b]; t < csr.indptr[b + 1]; t++)
            d += qrow[csr.indices[t]] * csr.values[t];
        } else d = dot(m, a, b);
        sims[b] =
          b === a ? Number.NEGATIVE_INFINITY : nrm[a] * nrm[b] === 0 ? -2 : d / (nrm[a] * nrm[b]);
        order[b] = b;
      }
      // Partial selection of the top k (ties by index).
      const top = Array.from(order)
        .sort((x, y) => sims[y] - sims[x] || x - y)
        .slice(0, k);
      for (const b of top) if (share(L, a, b)) hits++;
      total += k;
    }
    knn = hits / total;
  }
  return {
    dims: m.cols,
    sparsity: m.data.length ? zeros / m.data.length : 0,
    nnzPerRow: m.rows ? (m.data.length - zeros) / m.rows : 0,
    cosineMean: mean,
    cosineStd: std,
    knnLabelPrecision: knn,
  };
}

/**
 * Estimate a set's statistics from random samples: sparsity, cosine mean/spread of random pairs,
 * within-modality k-NN label precision (k = 10), labels per item and the label-overlap base rate.
 */
export function datasetStats(
  set: CrossModalSet,
  options: { pairs?: number; knnQueries?: number; k?: number; seed?: number } = {},
): DatasetStats {
  const { pairs = 20000, knnQueries = 200, k = 10, seed = 1 } = options;
  if (set.image.rows < 2)
    throw new DatasetError(`datasetStats: set "${set.name}" needs at least 2 items`);
  const rng = new Rng(seed);
  const L = set.labels;
  let labelsPerItem: number | null = null;
  let base: number | null = null;
  if (L) {
    let on = 0;
    for (let i = 0; i < L.data.length; i++) on += L.data[i];
    labelsPerItem = on / L.rows;
    let shared = 0;
    let cnt = 0;
    for (let p = 0; p < pairs; p++) {
      const a = rng.int(L.rows);
      const b = rng.int(L.rows);
      if (a === b) continue;
      if (share(L, a, b)) shared++;
      cnt++;
    }
    base = cnt ? shared / cnt : null;
  }
  return {
    items: set.image.rows,
    labels: L ? L.cols : null,
    labelsPerItem,
    labelOverlapBaseRate: base,
    image: modalityStats(set.image, L, pairs, knnQueries, k, rng),
    text: modalityStats(set.text, L, pairs, knnQueries, k, rng),
    bytes: set.image.data.byteLength + set.text.data.byteLength + (L?.data.byteLength ?? 0),
  };
}
