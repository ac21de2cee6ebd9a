/**
 * The feature-form validation suite: named bench datasets (`val-*`) built from real rows, each
 * transformed into a form users really bring (raw features at a large scale and offset,
 * L1-normalised histograms, low-dimensional topic proportions, sparse binary bag-of-words,
 * L2-normalised embeddings, ReLU activations). Sources, read from the `--data` folder:
 * `uci-mfeat/csv/{I,T,P,L}_tr.csv` (the training rows only: its test rows are never read) and
 * `mirflickr25k-tags-labels/{YAll_indices.txt,LAll.csv}` (real tags and labels). Every transform
 * is deterministic (fixed seeds); the split comes from the set's protocol and the run seed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type CrossModalSet,
  type LabelMatrix,
  type Matrix,
  type ProtocolSpec,
  readCsv,
  type Split,
} from "@cmh/datasets";
import { createRng } from "@cmh/tensor-core";

/** The name of the suite (`--suite feature-forms`). */
export const FEATURE_FORM_SUITE = "feature-forms";

/** Which real rows a set is made from. */
export type FeatureFormSource = "uci-mfeat" | "mirflickr25k-tags-labels";

/** One set of the suite. */
export interface FeatureFormSet {
  readonly source: FeatureFormSource;
  /** The form of each modality, in words. */
  readonly image: string;
  readonly text: string;
  readonly protocol: ProtocolSpec;
}

/** MIRFlickr tags: 4,000 items sampled (before dropping rows without a tag on one side). */
const MIR_ITEMS = 4000;
/** Split sizes by source: uci-mfeat's 1,500 training rows (10 classes); the MIRFlickr sample. */
const SPLIT_SIZES: Readonly<Record<FeatureFormSource, { query: number; train: number }>> = {
  "uci-mfeat": { query: 300, train: 1000 },
  "mirflickr25k-tags-labels": { query: 500, train: 2000 },
};

/** A set of the suite as described: its protocol follows from its name and source. */
function withProtocols(
  sets: Record<string, Omit<FeatureFormSet, "protocol">>,
): Readonly<Record<string, FeatureFormSet>> {
  const entries = Object.entries(sets).map(([name, set]) => [
    name,
    { ...set, protocol: { name, ...SPLIT_SIZES[set.source] } },
  ]);
  return Object.freeze(Object.fromEntries(entries));
}

/** The sets of the suite, by bench dataset name. */
export const FEATURE_FORM_SETS: Readonly<Record<string, FeatureFormSet>> = withProtocols({
  "val-raw": {
    source: "uci-mfeat",
    image:
      "uci Fourier (76) with each column scaled by 10^[2,4] and offset by [0, 10^4] (raw units)",
    text: "uci Karhunen–Loève (64) × 1000 + 2000",
  },
  "val-hist": {
    source: "uci-mfeat",
    image: "uci pixel view (240 bins) L1-normalised: histograms summing to 1, tiny values",
    text: "uci Fourier (76) L1-normalised",
  },
  "val-topic": {
    source: "uci-mfeat",
    image: "uci Fourier (76) L1-normalised (a visual-word-like histogram)",
    text: "10-d topic proportions: softmax(2·z·G) of the standardised Karhunen–Loève view z, G 64×10 Gaussian / 8 (non-negative, rows sum to 1; fewer columns than 16/32/64 bits)",
  },
  "val-l2": {
    source: "uci-mfeat",
    image: "128-d embedding: centred pixel view × Gaussian 240×128, rows L2-normalised",
    text: "uci Karhunen–Loève (64), rows L2-normalised as distributed (signed)",
  },
  "val-cnn": {
    source: "uci-mfeat",
    image:
      "1024-d ReLU activations: max(0, z·W − 0.5) of the standardised pixel view z, W 240×1024 Gaussian / √240 (non-negative, mostly zeros, wide)",
    text: "uci Fourier (76) as distributed (non-negative, rows L2-normalised)",
  },
  "val-bow": {
    source: "mirflickr25k-tags-labels",
    image: "MIRFlickr-25K tags, one half of the 1,386-word vocabulary (693 binary columns, sparse)",
    text: "the other half (693 binary columns, disjoint from the image half)",
  },
});

/** Fixed seed of every transform (random directions, item sample, vocabulary split). */
const TRANSFORM_SEED = 16;

function need(path: string, what: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `feature-form suite: ${what} not found at ${path}; --data must name the folder holding uci-mfeat/ and mirflickr25k-tags-labels/ (e.g. shared/data)`,
    );
  }
  return path;
}

interface Dense64 {
  rows: number;
  cols: number;
  data: Float64Array;
}

function toMatrix(m: Dense64): Matrix {
  return { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) };
}

function map(m: Dense64, f: (v: number, i: number, j: number) => number): Dense64 {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = f(m.data[i * m.cols + j], i, j);
  return { rows: m.rows, cols: m.cols, data: out };
}

function normaliseRows(m: Dense64, p: 1 | 2): Dense64 {
  const out = Float64Array.from(m.data);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) {
      const v = out[i * m.cols + j];
      s += p === 1 ? Math.abs(v) : v * v;
    }
    const norm = p === 1 ? s : Math.sqrt(s);
    if (norm > 0) for (let j = 0; j < m.cols; j++) out[i * m.cols + j] /= norm;
  }
  return { rows: m.rows, cols: m.cols, data: out };
}

function standardise(m: Dense64): Dense64 {
  const mean = new Float64Array(m.cols);
  const sq = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  for (let j = 0; j < m.cols; j++) {
    mean[j] /= m.rows;
    sq[j] = Math.sqrt(Math.max(0, sq[j] / m.rows - mean[j] * mean[j]));
  }
  return map(m, (v, _i, j) => (sq[j] > 0 ? (v - mean[j]) / sq[j] : 0));
}

/** m (n×d) times a seeded Gaussian d×k matrix scaled by `scale`. */
function randomProject(m: Dense64, k: number, scale: number, seed: number): Dense64 {
  const rng = createRng(seed);
  const g = Float64Array.from({ length: m.cols * k }, () => rng.normal() * scale);
  const out = new Float64Array(m.rows * k);
  for (let i = 0; i < m.rows; i++)
    for (let t = 0; t < m.cols; t++) {
      const v = m.data[i * m.cols + t];
      if (v === 0) continue;
      for (let j = 0; j < k; j++) out[i * k + j] += v * g[t * k + j];
    }
  return { rows: m.rows, cols: k, data: out };
}

function oneHot(classes: Float64Array): LabelMatrix {
  const values = [...new Set(classes)].sort((a, b) => a - b);
  const out = new Uint8Array(classes.length * values.length);
  for (let i = 0; i < classes.length; i++) out[i * values.length + values.indexOf(classes[i])] = 1;
  return { rows: classes.length, cols: values.length, data: out };
}

function readUci(root: string): {
  fourier: Dense64;
  kl: Dense64;
  pixel: Dense64;
  labels: LabelMatrix;
  files: string[];
} {
  const dir = join(root, "uci-mfeat", "csv");
  const files = ["I_tr.csv", "T_tr.csv", "P_tr.csv", "L_tr.csv"].map((f) =>
    need(join(dir, f), `uci-mfeat training file ${f}`),
  );
  const [fourier, kl, pixel, l] = files.map((f) => readCsv(f, { header: false }));
  return { fourier, kl, pixel, labels: oneHot(l.data), files };
}

function readMirTags(root: string): {
  tags: Uint8Array;
  rows: number;
  cols: number;
  labels: LabelMatrix;
  files: string[];
} {
  const dir = join(root, "mirflickr25k-tags-labels");
  const tagFile = need(join(dir, "YAll_indices.txt"), "MIRFlickr-25K tag file YAll_indices.txt");
  const labelFile = need(join(dir, "LAll.csv"), "MIRFlickr-25K label file LAll.csv");
  const lines = readFileSync(tagFile, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const cols = 1386;
  const rows = lines.length;
  const tags = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (const f of lines[i].trim().split(/\s+/)) {
      if (f === "") continue;
      const j = Number(f);
      if (!Number.isInteger(j) || j < 0 || j >= cols) {
        throw new Error(`${tagFile}: line ${i + 1} has tag index "${f}", expected 0..${cols - 1}`);
      }
      tags[i * cols + j] = 1;
    }
  }
  const l = readCsv(labelFile, { header: false });
  if (l.rows !== rows) {
    throw new Error(`${labelFile} has ${l.rows} rows but ${tagFile} has ${rows}`);
  }
  return {
    tags,
    rows,
    cols,
    labels: { rows, cols: l.cols, data: Uint8Array.from(l.data) },
    files: [tagFile, labelFile],
  };
}

/** Keep only rows with at least one label (and, when given, the extra condition). */
function keepRows(set: CrossModalSet, keep: (i: number) => boolean = () => true): CrossModalSet {
  const labels = set.labels as LabelMatrix;
  const rows: number[] = [];
  for (let i = 0; i < labels.rows; i++) {
    let any = false;
    for (let j = 0; j < labels.cols && !any; j++) any = labels.data[i * labels.cols + j] !== 0;
    if (any && keep(i)) rows.push(i);
  }
  if (rows.length === labels.rows) return set;
  const pick = <T extends Float32Array | Uint8Array>(m: { cols: number; data: T }, C: T) => {
    const out = new (C.constructor as new (n: number) => T)(rows.length * m.cols);
    rows.forEach((r, k) => {
      out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), k * m.cols);
    });
    return { rows: rows.length, cols: m.cols, data: out };
  };
  return {
    name: set.name,
    image: pick(set.image, set.image.data),
    text: pick(set.text, set.text.data),
    labels: pick(labels, labels.data),
  };
}

/**
 * Build one set of the suite from the source folder `root` (the folder holding `uci-mfeat/` and
 * `mirflickr25k-tags-labels/`). Returns the set and the source files it read (for hashing).
 */
export function buildFeatureFormSet(
  name: string,
  root: string,
): { set: CrossModalSet; files: string[] } {
  const spec = FEATURE_FORM_SETS[name];
  if (!spec) {
    throw new Error(
      `"${name}" is not a feature-form set; the suite has ${Object.keys(FEATURE_FORM_SETS).join(", ")}`,
    );
  }
  const s = TRANSFORM_SEED;
  if (spec.source === "mirflickr25k-tags-labels") {
    const mir = readMirTags(root);
    const rng = createRng(s);
    const items = rng.choice(mir.rows, Math.min(MIR_ITEMS, mir.rows)).sort();
    const perm = rng.permutation(mir.cols);
    const half = mir.cols >> 1;
    const image = new Float32Array(items.length * half);
    const text = new Float32Array(items.length * (mir.cols - half));
    const labels = new Uint8Array(items.length * mir.labels.cols);
    items.forEach((r, k) => {
      for (let j = 0; j < mir.cols; j++) {
        const v = mir.tags[r * mir.cols + perm[j]];
        if (j < half) image[k * half + j] = v;
        else text[k * (mir.cols - half) + j - half] = v;
      }
      labels.set(
        mir.labels.data.subarray(r * mir.labels.cols, (r + 1) * mir.labels.cols),
        k * mir.labels.cols,
      );
    });
    const n = items.length;
    const set: CrossModalSet = {
      name,
      image: { rows: n, cols: half, data: image },
      text: { rows: n, cols: mir.cols - half, data: text },
      labels: { rows: n, cols: mir.labels.cols, data: labels },
    };
    // A pair needs a tag on both sides to be a bag-of-words pair at all.
    const rowHas = (m: Matrix, i: number) => {
      for (let j = 0; j < m.cols; j++) if (m.data[i * m.cols + j] !== 0) return true;
      return false;
    };
    return {
      set: keepRows(set, (i) => rowHas(set.image, i) && rowHas(set.text, i)),
      files: mir.files,
    };
  }
  const uci = readUci(root);
  let image: Dense64;
  let text: Dense64;
  switch (name) {
    case "val-raw": {
      const rng = createRng(s);
      const scale = Array.from({ length: uci.fourier.cols }, () => 10 ** (2 + 2 * rng.uniform()));
      const offset = Array.from({ length: uci.fourier.cols }, () => 1e4 * rng.uniform());
      image = map(uci.fourier, (v, _i, j) => v * scale[j] + offset[j]);
      text = map(uci.kl, (v) => v * 1000 + 2000);
      break;
    }
    case "val-hist":
      image = normaliseRows(uci.pixel, 1);
      text = normaliseRows(uci.fourier, 1);
      break;
    case "val-topic": {
      image = normaliseRows(uci.fourier, 1);
      const z = randomProject(standardise(uci.kl), 10, 1 / 8, s);
      text = map(z, (v) => Math.exp(2 * v));
      text = normaliseRows(text, 1);
      break;
    }
    case "val-l2": {
      image = normaliseRows(randomProject(standardise(uci.pixel), 128, 1, s), 2);
      text = uci.kl;
      break;
    }
    case "val-cnn":
      image = map(randomProject(standardise(uci.pixel), 1024, 1 / Math.sqrt(240), s), (v) =>
        Math.max(0, v - 0.5),
      );
      text = uci.fourier;
      break;
    default:
      throw new Error(`no transform for feature-form set "${name}"`);
  }
  const set: CrossModalSet = {
    name,
    image: toMatrix(image),
    text: toMatrix(text),
    labels: uci.labels,
  };
  return { set: keepRows(set), files: uci.files };
}

/** Statistics of one modality of a set (what the README table shows). */
export interface ModalityStats {
  readonly dim: number;
  /** Share of non-zero entries. */
  readonly density: number;
  readonly min: number;
  readonly max: number;
  /** Mean |value| of the non-zero entries. */
  readonly meanAbs: number;
  /** Mean row sum (1 for L1-normalised rows) and mean row L2 norm. */
  readonly meanRowSum: number;
  readonly meanRowNorm: number;
}

/** Statistics of a set and its split. */
export interface FeatureFormStats {
  readonly name: string;
  readonly image: ModalityStats;
  readonly text: ModalityStats;
  readonly labels: number;
  /** Mean number of labels per item. */
  readonly labelsPerItem: number;
  readonly nTrain: number;
  readonly nQuery: number;
  readonly nDatabase: number;
  /**
   * Label-overlap base rate: mean over queries of the share of database items sharing a label
   * with the query — the expected mAP@all of random codes.
   */
  readonly randomMap: number;
}

/** Dims, density, value range, row sums and norms of a matrix. */
export function modalityStats(m: Matrix): ModalityStats {
  let nz = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let abs = 0;
  let rowSum = 0;
  let rowNorm = 0;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    let q = 0;
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      if (v < min) min = v;
      if (v > max) max = v;
      if (v !== 0) {
        nz++;
        abs += Math.abs(v);
      }
      s += v;
      q += v * v;
    }
    rowSum += s;
    rowNorm += Math.sqrt(q);
  }
  return {
    dim: m.cols,
    density: nz / (m.rows * m.cols),
    min,
    max,
    meanAbs: nz > 0 ? abs / nz : 0,
    meanRowSum: rowSum / m.rows,
    meanRowNorm: rowNorm / m.rows,
  };
}

/** Statistics of a set under a split (see {@link FeatureFormStats}). */
export function featureFormStats(set: CrossModalSet, split: Split): FeatureFormStats {
  const labels = set.labels;
  if (!labels) throw new Error(`set "${set.name}" has no labels`);
  const L = labels.cols;
  const has = (i: number, j: number) => labels.data[i * L + j] !== 0;
  let perItem = 0;
  for (let i = 0; i < labels.rows; i++) for (let j = 0; j < L; j++) if (has(i, j)) perItem++;
  let rate = 0;
  for (const q of split.query) {
    let rel = 0;
    for (const d of split.database) {
      for (let j = 0; j < L; j++) {
        if (has(q, j) && has(d, j)) {
          rel++;
          break;
        }
      }
    }
    rate += rel / split.database.length;
  }
  return {
    name: set.name,
    image: modalityStats(set.image),
    text: modalityStats(set.text),
    labels: L,
    labelsPerItem: perItem / labels.rows,
    nTrain: split.train.length,
    nQuery: split.query.length,
    nDatabase: split.database.length,
    randomMap: rate / split.query.length,
  };
}

function num(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return v.toPrecision(3).replace(/\.?0+$/, "");
}

/** The README table of the suite: one row per set. */
export function featureFormStatsTable(rows: readonly FeatureFormStats[]): string {
  const head = [
    "set",
    "image dim",
    "image density",
    "image range",
    "image mean abs ≠0",
    "text dim",
    "text density",
    "text range",
    "text mean abs ≠0",
    "labels (per item)",
    "train / query / db",
    "random-code mAP",
  ];
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, j) => (j === 0 ? "---" : "--:")).join("|")}|`,
  ];
  for (const r of rows) {
    const m = (s: ModalityStats) => [
      `${s.dim}`,
      `${(100 * s.density).toFixed(1)} %`,
      `[${num(s.min)}, ${num(s.max)}]`,
      num(s.meanAbs),
    ];
    lines.push(
      `| ${[
        r.name,
        ...m(r.image),
        ...m(r.text),
        `${r.labels} (${r.labelsPerItem.toFixed(2)})`,
        `${r.nTrain} / ${r.nQuery} / ${r.nDatabase}`,
        r.randomMap.toFixed(3),
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}
