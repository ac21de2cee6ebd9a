import { HasherError, type Rng } from "@cmh/tensor-core";
import { isPositive, type PositiveSets } from "./graph";
import { rowSqDist } from "./losses";

/** Triplets (query, manifold positive, negative) of one direction, as item indices. */
export interface Triplets {
  readonly query: Int32Array;
  readonly pos: Int32Array;
  readonly neg: Int32Array;
}

/**
 * Draw `k` indices with replacement from softmax(logits) (computed in log space); entries with
 * logit −Infinity are never drawn. Throws when every entry is −Infinity.
 */
export function sampleSoftmax(logits: ArrayLike<number>, k: number, rng: Rng): Int32Array {
  const n = logits.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
  if (max === Number.NEGATIVE_INFINITY)
    throw new HasherError("sampleSoftmax: no candidate can be drawn");
  const cum = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += logits[i] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(logits[i] - max);
    cum[i] = total;
  }
  const out = new Int32Array(k);
  for (let s = 0; s < k; s++) {
    const u = rng.uniform() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    // Skip zero-probability entries that share a cumulative value.
    while (lo < n - 1 && logits[lo] === Number.NEGATIVE_INFINITY) lo++;
    out[s] = lo;
  }
  return out;
}

/** The positives of q in a random order (a fresh copy). */
export function shuffledPositives(p: PositiveSets, q: number, rng: Rng): Int32Array {
  const out = p.items.slice(p.offsets[q], p.offsets[q + 1]);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/**
 * Candidate sets C(q) of a generator step: `sets` consecutive blocks of `size` distinct random
 * items out of `n` (one block per query, or one block shared by all queries of the step).
 */
export function drawCandidates(n: number, size: number, sets: number, rng: Rng): Int32Array {
  const out = new Int32Array(sets * size);
  for (let r = 0; r < sets; r++) out.set(rng.choice(n, size), r * size);
  return out;
}

/** Pre-training triplets: each item's own pair as positive, a random non-pair as negative. */
export function pairTriplets(n: number, perQuery: number, rng: Rng): Triplets {
  const m = n * perQuery;
  const query = new Int32Array(m);
  const pos = new Int32Array(m);
  const neg = new Int32Array(m);
  for (let q = 0, r = 0; q < n; q++) {
    for (let s = 0; s < perQuery; s++, r++) {
      query[r] = q;
      pos[r] = q;
      let j = rng.int(n - 1);
      if (j >= q) j++;
      neg[r] = j;
    }
  }
  return { query, pos, neg };
}

/**
 * D's training triplets for one direction, picked by the (frozen) generator: for every query a
 * fresh candidate set C(q) of `candidates` random items; `perQuery` draws from softmax(−d_G)
 * restricted to non-positives (= the reference's redraw-until-not-positive); each paired with the
 * query's shuffled positives in turn. `hq`, `hx`: G's relaxed codes of the query / other modality.
 */
export function generatorTriplets(
  hq: Float32Array,
  hx: Float32Array,
  positives: PositiveSets,
  bits: number,
  candidates: number,
  perQuery: number,
  rng: Rng,
): Triplets {
  const n = positives.n;
  const query = new Int32Array(n * perQuery);
  const pos = new Int32Array(n * perQuery);
  const neg = new Int32Array(n * perQuery);
  const logits = new Float64Array(candidates);
  let r = 0;
  for (let q = 0; q < n; q++) {
    const npos = positives.offsets[q + 1] - positives.offsets[q];
    if (npos >= n) continue; // every item is a positive: no negative exists
    const cand = rng.choice(n, candidates);
    let any = false;
    for (let c = 0; c < candidates; c++) {
      const x = cand[c];
      if (isPositive(positives, q, x)) logits[c] = Number.NEGATIVE_INFINITY;
      else {
        logits[c] = -rowSqDist(hq, q, hx, x, bits);
        any = true;
      }
    }
    const ps = shuffledPositives(positives, q, rng);
    const draws = any ? sampleSoftmax(logits, perQuery, rng) : undefined;
    for (let s = 0; s < perQuery; s++, r++) {
      let x: number;
      if (draws) x = cand[draws[s]];
      else
        do x = rng.int(n);
        while (isPositive(positives, q, x));
      query[r] = q;
      pos[r] = ps[s % ps.length];
      neg[r] = x;
    }
  }
  return { query: query.subarray(0, r), pos: pos.subarray(0, r), neg: neg.subarray(0, r) };
}
