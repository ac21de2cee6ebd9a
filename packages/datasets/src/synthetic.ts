import { Rng } from "@cmh/hamming-index";
import { DatasetError } from "./errors";
import { makeSplit } from "./protocols";
import type { CrossModalSet, Matrix, SparseMatrix, Split } from "./types";

/**
 * Per-label item counts of MIRFlickr-25K (cleared set, 20,015 items, DCMH `LAll` column order:
 * animals, baby, bird, car, clouds, dog, female, flower, food, indoor, lake, male, night, people,
 * plant_life, portrait, river, sea, sky, structures, sunset, transport, tree, water).
 */
export const MIRFLICKR25K_LABEL_COUNTS: readonly number[] = Object.freeze([
  2647, 179, 644, 986, 3230, 581, 4614, 1554, 813, 6320, 704, 4743, 2243, 7848, 7413, 2740, 811,
  1133, 6818, 8463, 1840, 2450, 3981, 2885,
]);

/** Options of the synthetic generator; every field has a default (see `SYNTHETIC_DEFAULTS`). */
export interface SyntheticOptions {
  /** PRNG seed (non-negative integer). Default 0. */
  seed?: number;
  /** Query items. Default 1,000. */
  nQuery?: number;
  /** Database items. Default 9,000. */
  nDatabase?: number;
  /** Training items, drawn from the database. Default 5,000. */
  nTrain?: number;
  /** Marginal probability of each label (its length is the label count). Default: MIRFlickr-25K. */
  labelProbabilities?: readonly number[];
  /** Latent semantic dimension. Default 64. */
  latentDim?: number;
  /** Std of the item-specific latent variation (shared by both views). Default 1.5. */
  itemNoise?: number;
  /** Image-only latent noise std (the views see different noisy copies). Default 0.5. */
  imageNoise?: number;
  /** Text-only latent noise std. Default 0.5. */
  textNoise?: number;
  /** Hidden width of the 2-layer ReLU image map. Default 256. */
  hiddenDim?: number;
  /** Image feature dimension. Default 512. */
  imageDim?: number;
  /** Vocabulary size. Default 1,386 (MIRFlickr-25K's tag vocabulary). */
  textDim?: number;
  /** Mean number of word draws per item (at least one). Default 6. */
  wordsPerItem?: number;
  /** Words owned by each label's topic. Default 40. */
  topicWords?: number;
  /** Probability that a word draw is a noise word from the background distribution. Default 0.5. */
  noiseWordRate?: number;
  /** Softmax sharpness of the topic model. Default 1.2. */
  topicSharpness?: number;
}

/** The default option values (the "synthetic-default" dataset). */
export const SYNTHETIC_DEFAULTS: Readonly<Required<SyntheticOptions>> = Object.freeze({
  seed: 0,
  nQuery: 1000,
  nDatabase: 9000,
  nTrain: 5000,
  labelProbabilities: MIRFLICKR25K_LABEL_COUNTS.map((c) => c / 20015),
  latentDim: 64,
  itemNoise: 1.5,
  imageNoise: 0.5,
  textNoise: 0.5,
  hiddenDim: 256,
  imageDim: 512,
  textDim: 1386,
  wordsPerItem: 6,
  topicWords: 40,
  noiseWordRate: 0.5,
  topicSharpness: 1.2,
});

/** A generated dataset: the set (dense text), the same text as CSR rows, and its named split. */
export interface SyntheticDataset {
  readonly set: CrossModalSet;
  /** The text view as sparse binary bag-of-words rows (same values as `set.text`). */
  readonly textSparse: SparseMatrix;
  readonly split: Split;
  readonly options: Readonly<Required<SyntheticOptions>>;
}

function checkPositiveInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) {
    throw new DatasetError(`synthetic: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
}

/**
 * Generate a seeded cross-modal set with multi-label structure: labels (independent Bernoulli with
 * the given marginals, redrawn until an item has at least one) → a latent vector (normalised sum of
 * label prototypes + item noise) → an image view (2-layer ReLU map of a noisy latent copy,
 * non-negative) and a text view (binary bag of words drawn from a softmax topic model of another
 * noisy latent copy, mixed with background noise words). Byte-identical for equal options.
 */
export function synthetic(options: SyntheticOptions = {}): SyntheticDataset {
  const o: Required<SyntheticOptions> = { ...SYNTHETIC_DEFAULTS, ...options };
  checkPositiveInt("seed", o.seed, 0);
  checkPositiveInt("nQuery", o.nQuery);
  checkPositiveInt("nDatabase", o.nDatabase);
  checkPositiveInt("nTrain", o.nTrain);
  for (const k of ["latentDim", "hiddenDim", "imageDim", "textDim", "topicWords"] as const) {
    checkPositiveInt(k, o[k]);
  }
  if (o.nTrain > o.nDatabase) {
    throw new DatasetError(
      `synthetic: nTrain (${o.nTrain}) must not exceed nDatabase (${o.nDatabase}): training items are drawn from the database`,
    );
  }
  const probs = o.labelProbabilities;
  const nL = probs.length;
  if (nL === 0 || probs.some((p) => !(p > 0 && p < 1))) {
    throw new DatasetError(
      "synthetic: labelProbabilities must be a non-empty list of values in (0, 1)",
    );
  }
  if (nL * o.topicWords > o.textDim) {
    throw new DatasetError(
      `synthetic: ${nL} labels × ${o.topicWords} topic words exceed the vocabulary of ${o.textDim}`,
    );
  }
  if (!(o.wordsPerItem >= 1))
    throw new DatasetError(`synthetic: wordsPerItem must be ≥ 1, got ${o.wordsPerItem}`);
  if (!(o.noiseWordRate >= 0 && o.noiseWordRate <= 1)) {
    throw new DatasetError(`synthetic: noiseWordRate must be in [0, 1], got ${o.noiseWordRate}`);
  }
  for (const k of ["itemNoise", "imageNoise", "textNoise", "topicSharpness"] as const) {
    if (!(o[k] >= 0) || !Number.isFinite(o[k])) {
      throw new DatasetError(`synthetic: ${k} must be a finite number ≥ 0, got ${o[k]}`);
    }
  }

  const n = o.nQuery + o.nDatabase;
  const D = o.latentDim;
  const H = o.hiddenDim;
  const DI = o.imageDim;
  const V = o.textDim;
  // Independent streams so that changing one part (e.g. text options) leaves the others unchanged.
  const rngModel = new Rng(o.seed * 8 + 1);
  const rngItems = new Rng(o.seed * 8 + 2);
  const rngImage = new Rng(o.seed * 8 + 3);
  const rngText = new Rng(o.seed * 8 + 4);

  // ---- model parameters -------------------------------------------------------------------
  const protos = new Float64Array(nL * D);
  for (let i = 0; i < protos.length; i++) protos[i] = rngModel.normal();
  const w1 = new Float64Array(H * D);
  const s1 = Math.sqrt(2 / D);
  for (let i = 0; i < w1.length; i++) w1[i] = rngModel.normal() * s1;
  const b1 = new Float64Array(H);
  for (let i = 0; i < H; i++) b1[i] = 0.1 * rngModel.normal();
  const w2 = new Float64Array(DI * H);
  const s2 = Math.sqrt(2 / H);
  for (let i = 0; i < w2.length; i++) w2[i] = rngModel.normal() * s2;
  const b2 = new Float64Array(DI);
  for (let i = 0; i < DI; i++) b2[i] = 0.1 * rngModel.normal();
  // Word embeddings: label j owns words [j*topicWords, (j+1)*topicWords); the rest are generic.
  // A background (Zipf-like) log-frequency makes some words common across topics.
  const wordEmb = new Float64Array(V * D);
  const wordBias = new Float64Array(V);
  const background = new Float64Array(V);
  const topicEnd = nL * o.topicWords;
  const embScale = 1 / Math.sqrt(D);
  for (let w = 0; w < V; w++) {
    const home = w < topicEnd ? Math.floor(w / o.topicWords) : -1;
    for (let d = 0; d < D; d++) {
      const base = home >= 0 ? protos[home * D + d] : 0;
      wordEmb[w * D + d] = (base + 0.5 * rngModel.normal()) * embScale;
    }
  }
  // Zipf ranks assigned through a seeded permutation of the vocabulary.
  const rank = new Uint32Array(V);
  for (let i = 0; i < V; i++) rank[i] = i;
  rngModel.shuffle(rank);
  let bgSum = 0;
  for (let w = 0; w < V; w++) {
    background[w] = 1 / (rank[w] + 10);
    bgSum += background[w];
    wordBias[w] = -0.5 * Math.log(rank[w] + 10);
  }
  const bgCum = new Float64Array(V);
  let acc = 0;
  for (let w = 0; w < V; w++) {
    acc += background[w] / bgSum;
    bgCum[w] = acc;
  }

  // ---- items ------------------------------------------------------------------------------
  const labels = new Uint8Array(n * nL);
  const latent = new Float64Array(D);
  const zi = new Float64Array(D);
  const zt = new Float64Array(D);
  const hid = new Float64Array(H);
  const image = new Float32Array(n * DI);
  const text = new Float32Array(n * V);
  const logits = new Float64Array(V);
  const cum = new Float64Array(V);
  const indptr = new Uint32Array(n + 1);
  const indices: number[] = [];
  const poissonL = Math.exp(-(o.wordsPerItem - 1));
  const chosen = new Int32Array(V).fill(-1);

  for (let i = 0; i < n; i++) {
    // Labels: independent Bernoulli, redrawn until at least one is on.
    const lrow = labels.subarray(i * nL, (i + 1) * nL);
    let count = 0;
    while (count === 0) {
      for (let j = 0; j < nL; j++) {
        const on = rngItems.uniform() < probs[j] ? 1 : 0;
        lrow[j] = on;
        count += on;
      }
    }
    const inv = 1 / Math.sqrt(count);
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let j = 0; j < nL; j++) if (lrow[j]) s += protos[j * D + d];
      latent[d] = s * inv + o.itemNoise * rngItems.normal();
    }
    for (let d = 0; d < D; d++) zi[d] = latent[d] + o.imageNoise * rngImage.normal();
    for (let d = 0; d < D; d++) zt[d] = latent[d] + o.textNoise * rngText.normal();

    // Image: x = relu(W2 relu(W1 z + b1) + b2).
    for (let h = 0; h < H; h++) {
      let s = b1[h];
      const row = h * D;
      for (let d = 0; d < D; d++) s += w1[row + d] * zi[d];
      hid[h] = Math.max(s, 0);
    }
    const ibase = i * DI;
    for (let k = 0; k < DI; k++) {
      let s = b2[k];
      const row = k * H;
      for (let h = 0; h < H; h++) s += w2[row + h] * hid[h];
      image[ibase + k] = Math.max(s, 0);
    }

    // Text: softmax(sharpness * <e_w, z> + bias_w) over the vocabulary, mixed with background.
    let mx = Number.NEGATIVE_INFINITY;
    for (let w = 0; w < V; w++) {
      let s = 0;
      const row = w * D;
      for (let d = 0; d < D; d++) s += wordEmb[row + d] * zt[d];
      const l = o.topicSharpness * s + wordBias[w];
      logits[w] = l;
      if (l > mx) mx = l;
    }
    let z = 0;
    for (let w = 0; w < V; w++) {
      z += Math.exp(logits[w] - mx);
      cum[w] = z;
    }
    // Number of draws: 1 + Poisson(wordsPerItem - 1) (Knuth's product method).
    let draws = 0;
    let p = rngText.uniform();
    while (p > poissonL) {
      draws++;
      p *= rngText.uniform();
    }
    draws += 1;
    const start = indices.length;
    for (let t = 0; t < draws; t++) {
      const noise = rngText.uniform() < o.noiseWordRate;
      const u = rngText.uniform();
      const w = noise ? searchCum(bgCum, u * bgCum[V - 1]) : searchCum(cum, u * z);
      if (chosen[w] !== i) {
        chosen[w] = i;
        indices.push(w);
      }
    }
    const seg = indices.slice(start).sort((a, b) => a - b);
    for (let k = 0; k < seg.length; k++) {
      indices[start + k] = seg[k];
      text[i * V + seg[k]] = 1;
    }
    indptr[i + 1] = indices.length;
  }

  const textSparse: SparseMatrix = {
    rows: n,
    cols: V,
    indptr,
    indices: Uint32Array.from(indices),
    values: new Float32Array(indices.length).fill(1),
  };
  const isDefaultSize =
    o.nQuery === SYNTHETIC_DEFAULTS.nQuery &&
    o.nDatabase === SYNTHETIC_DEFAULTS.nDatabase &&
    o.nTrain === SYNTHETIC_DEFAULTS.nTrain;
  const split = isDefaultSize
    ? makeSplit("synthetic-default", n, o.seed)
    : makeSplit(
        {
          name: `synthetic-q${o.nQuery}-db${o.nDatabase}-tr${o.nTrain}`,
          query: o.nQuery,
          train: o.nTrain,
        },
        n,
        o.seed,
      );
  const image_: Matrix = { rows: n, cols: DI, data: image };
  const set: CrossModalSet = {
    name: isDefaultSize ? `synthetic-default(seed=${o.seed})` : `synthetic(seed=${o.seed}, n=${n})`,
    image: image_,
    text: { rows: n, cols: V, data: text },
    labels: { rows: n, cols: nL, data: labels },
    synthetic: true,
  };
  return { set, textSparse, split, options: Object.freeze(o) };
}

/** The default dataset: `synthetic()` with seed 0 (10,000 items, protocol "synthetic-default"). */
export function defaultDataset(seed = 0): SyntheticDataset {
  return synthetic({ seed });
}

/** First index w with cum[w] > target (cum is non-decreasing). */
function searchCum(cum: Float64Array, target: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
