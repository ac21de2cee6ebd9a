import { type BinaryCodes, hammingDistances, validateCodes } from "@cmh/hamming-index";
import { type LabelInput, type PackedLabels, packLabelPair } from "./labels";

/** A cut-off for mAP@k: a positive integer, or `"all"` for the whole ranking (never `-1`). */
export type TopK = number | "all";

/**
 * Normaliser of AP@k (both equal AP@all when k >= database size):
 * - `"relevant-in-top-k"`: AP@k = sum_{i<=k} rel_i * P@i / sum_{i<=k} rel_i, 0 when the top k hold
 *   no relevant item (DCMH / DeepHash `calc_map_k`, the uci-mfeat REFERENCE.md protocol);
 * - `"djsrh"`: with m = min(k, R), AP@k = (1/m) * sum_{t=1..m} t / pos_t where pos_t is the rank of the
 *   t-th relevant item, wherever it lies (DJSRH / JDSH `calc_map_k`).
 */
export type ApAtKVariant = "relevant-in-top-k" | "djsrh";

/**
 * What a query with no relevant item in the whole database (R = 0) counts for:
 * - `"include"`: every per-query number is 0 for it and it stays in every mean (DCMH `calc_map`:
 *   `if tsum == 0: continue` then divides by `num_query`);
 * - `"exclude"`: it is left out of every mean (and of the pooled PR counts).
 * Either way it is counted in `zeroRelevanceQueries`.
 */
export type ZeroRelevanceRule = "include" | "exclude";

/** Options shared by every evaluation call. */
export interface MetricOptions {
  /** Cut-offs for mAP@k; default `["all", 50]`. A finite k above the database size means "all". */
  k?: TopK | readonly TopK[];
  /**
   * Cut-offs N of the P@N curve (positive integers, at most the database size). Default
   * `DEFAULT_PRECISION_AT_N` restricted to values <= database size.
   */
  precisionAtN?: readonly number[];
  /** Hamming radius of "precision within radius r" (`P@r<radius>`); default 2. */
  radius?: number;
  /** Normaliser of AP@k; default `"relevant-in-top-k"`. */
  apAtK?: ApAtKVariant;
  /** Rule for queries with no relevant item; default `"include"`. */
  zeroRelevance?: ZeroRelevanceRule;
  /** Also report tie-aware mAP@all and P@N (expected over all orders of equal distances). */
  tieAware?: boolean;
  /** Compute the PR curve by Hamming radius (default true). */
  prCurve?: boolean;
  /** Also return AP@all and the relevant count of every query (default false). */
  perQuery?: boolean;
}

/** Input of `evaluateRetrieval`: one retrieval direction. */
export interface RetrievalInput extends MetricOptions {
  /** Query codes. */
  query: BinaryCodes;
  /** Database (retrieval set) codes, same bit length. */
  database: BinaryCodes;
  /** Labels of the queries (multi-hot rows or class ids), one per query code. */
  queryLabels: LabelInput;
  /** Labels of the database items, one per database code. */
  databaseLabels: LabelInput;
}

/** Names of the conventions behind every number of a result. */
export interface MetricVariants {
  relevance: "shares-at-least-one-label";
  ranking: "hamming-ascending-ties-by-database-index";
  apAtK: ApAtKVariant;
  zeroRelevance: ZeroRelevanceRule;
  /** Precision of a query whose Hamming ball (or prefix) holds nothing: 0, and it stays in the mean. */
  emptyRetrieval: "precision-0";
  /** PR curve: by Hamming radius; macro = mean of per-query values, micro = pooled pairs. */
  prCurve: "hamming-radius-macro-and-micro";
  tieAware: "mcsherry-najork-2008" | "off";
}

/** Precision (and recall) at fixed ranking depths N. */
export interface PrecisionAtNCurve {
  N: number[];
  /** Mean over queries of (relevant in top N) / N. */
  precision: number[];
  /** Mean over queries of (relevant in top N) / R (0 for a query with R = 0). */
  recall: number[];
}

/** Precision-recall by Hamming radius r = 0..bits. */
export interface RadiusPrCurve {
  radius: number[];
  /** Mean over queries of relret / ret (0 when nothing lies within the radius). */
  precision: number[];
  /** Mean over queries of relret / R (0 when R = 0). */
  recall: number[];
  /** Sum relret / sum ret over the averaged queries (0 when sum ret = 0). */
  precisionMicro: number[];
  /** Sum relret / sum R over the averaged queries (0 when sum R = 0). */
  recallMicro: number[];
  /** Mean number of database items within the radius. */
  meanRetrieved: number[];
  /**
   * Share of the averaged queries with an empty Hamming ball (nothing within the radius). The
   * pooled (micro) curve leaves these queries out of precision by construction; the macro curve
   * counts them as precision 0, which is what pulls it down at small radii.
   */
  emptyShare: number[];
}

/** Metrics of one retrieval direction; every field is plain JSON. */
export type RetrievalMetrics = {
  /** Number of queries. */
  queries: number;
  /** Database size. */
  database: number;
  /** Code length. */
  bits: number;
  /** Queries sharing no label with any database item. */
  zeroRelevanceQueries: number;
  /** Fraction of all (query, database) pairs that share a label (the label base rate). */
  relevantPairRate: number;
  /** Queries over which the means are taken (all, or all minus zero-relevance ones). */
  averagedQueries: number;
  /** The radius r of `P@r<r>`. */
  radius: number;
  /** Averaged queries with nothing within `radius` (their precision counts as 0). */
  emptyRadiusQueries: number;
  "P@N": PrecisionAtNCurve;
  PR?: RadiusPrCurve;
  /** Tie-aware variants (McSherry & Najork 2008): expectation over all orders of tied items. */
  tieAware?: { "mAP@all": number; "P@N": number[] };
  /** Per-query AP@all and relevant counts (all queries, in query order). */
  perQuery?: { "AP@all": number[]; relevant: number[] };
  variants: MetricVariants;
} & { [key: `mAP@${string}`]: number } & { [key: `P@r${number}`]: number };

/** P@N cut-offs used when `precisionAtN` is not given (those above the database size dropped). */
export const DEFAULT_PRECISION_AT_N: readonly number[] = [
  1, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000,
];

/** Default mAP cut-offs. */
export const DEFAULT_K: readonly TopK[] = ["all", 50];

/** Options after validation and defaults (internal). */
export interface ResolvedMetricOptions {
  ks: TopK[];
  pAtN: number[];
  radius: number;
  apAtK: ApAtKVariant;
  zeroRelevance: ZeroRelevanceRule;
  tieAware: boolean;
  prCurve: boolean;
  perQuery: boolean;
}

/** Validate and fill defaults; exported for `evaluateCrossModal`. */
export function resolveOptions(o: MetricOptions, databaseSize: number): ResolvedMetricOptions {
  const kIn = o.k === undefined ? DEFAULT_K : Array.isArray(o.k) ? o.k : [o.k as TopK];
  if (kIn.length === 0) throw new RangeError("k must name at least one cut-off");
  const ks: TopK[] = [];
  for (const k of kIn) {
    if (k !== "all" && !(typeof k === "number" && Number.isInteger(k) && k > 0)) {
      throw new RangeError(
        `k must be a positive integer or "all" (never -1 or 0), got ${JSON.stringify(k)}`,
      );
    }
    if (!ks.includes(k)) ks.push(k);
  }
  let pAtN: number[];
  if (o.precisionAtN === undefined) {
    pAtN = DEFAULT_PRECISION_AT_N.filter((n) => n <= databaseSize);
  } else {
    pAtN = [];
    for (const n of o.precisionAtN) {
      if (!Number.isInteger(n) || n < 1 || n > databaseSize) {
        throw new RangeError(
          `precisionAtN values must be integers from 1 to the database size ${databaseSize}, got ${String(n)}`,
        );
      }
      if (!pAtN.includes(n)) pAtN.push(n);
    }
    pAtN.sort((a, b) => a - b);
  }
  const radius = o.radius ?? 2;
  if (!Number.isInteger(radius) || radius < 0) {
    throw new RangeError(`radius must be a non-negative integer, got ${String(radius)}`);
  }
  const apAtK = o.apAtK ?? "relevant-in-top-k";
  if (apAtK !== "relevant-in-top-k" && apAtK !== "djsrh") {
    throw new RangeError(`apAtK must be "relevant-in-top-k" or "djsrh", got ${String(apAtK)}`);
  }
  const zeroRelevance = o.zeroRelevance ?? "include";
  if (zeroRelevance !== "include" && zeroRelevance !== "exclude") {
    throw new RangeError(
      `zeroRelevance must be "include" or "exclude", got ${String(zeroRelevance)}`,
    );
  }
  return {
    ks,
    pAtN,
    radius,
    apAtK,
    zeroRelevance,
    tieAware: o.tieAware ?? false,
    prCurve: o.prCurve ?? true,
    perQuery: o.perQuery ?? false,
  };
}

/** The variant names that go with resolved options. */
export function variantsOf(o: ResolvedMetricOptions): MetricVariants {
  return {
    relevance: "shares-at-least-one-label",
    ranking: "hamming-ascending-ties-by-database-index",
    apAtK: o.apAtK,
    zeroRelevance: o.zeroRelevance,
    emptyRetrieval: "precision-0",
    prCurve: "hamming-radius-macro-and-micro",
    tieAware: o.tieAware ? "mcsherry-najork-2008" : "off",
  };
}

/**
 * Evaluate one direction with labels already packed. Exported for `evaluateCrossModal`, which
 * packs the labels once for all directions.
 */
export function evaluatePacked(
  query: BinaryCodes,
  database: BinaryCodes,
  ql: PackedLabels,
  dl: PackedLabels,
  o: ResolvedMetricOptions,
  names: { query: string; database: string } = { query: "query", database: "database" },
): RetrievalMetrics {
  validateCodes(query, names.query);
  validateCodes(database, names.database);
  if (query.bits !== database.bits) {
    throw new RangeError(
      `bit length mismatch: ${names.query} has ${query.bits} bits, ${names.database} has ${database.bits}`,
    );
  }
  if (ql.n !== query.n) {
    throw new RangeError(`${names.query} has ${query.n} codes but queryLabels has ${ql.n} rows`);
  }
  if (dl.n !== database.n) {
    throw new RangeError(
      `${names.database} has ${database.n} codes but databaseLabels has ${dl.n} rows`,
    );
  }
  if (ql.wordsPerRow !== dl.wordsPerRow) {
    throw new RangeError("queryLabels and databaseLabels are packed with different label counts");
  }
  const Q = query.n;
  const N = database.n;
  if (Q === 0) throw new RangeError(`${names.query} is empty: nothing to evaluate`);
  if (N === 0) throw new RangeError(`${names.database} is empty: nothing to retrieve`);
  const bits = query.bits;
  const B = bits + 1;
  const lw = ql.wordsPerRow;
  const qMasks = ql.masks;
  const dMasks = dl.masks;
  const exclude = o.zeroRelevance === "exclude";
  const djsrh = o.apAtK === "djsrh";
  const needAll = o.ks.includes("all") || o.perQuery;

  // Checkpoints of the ranked scan: finite k (clamped to N) and the P@N cut-offs.
  const kFinite = [
    ...new Set(o.ks.filter((k): k is number => k !== "all").map((k) => Math.min(k, N))),
  ];
  kFinite.sort((a, b) => a - b);
  const cps = [...new Set([...kFinite, ...o.pAtN])].sort((a, b) => a - b);
  const C = cps.length;
  const cpsArr = Int32Array.from(cps);
  const cumAt = new Int32Array(C);
  const apAt = new Float64Array(C);
  const kCp = kFinite.map((k) => cps.indexOf(k));
  const nCp = o.pAtN.map((n) => cps.indexOf(n));
  // DJSRH: AP prefix at the m-th relevant item, m = min(k, R).
  const ms = new Int32Array(kFinite.length);
  const apAtM = new Float64Array(kFinite.length);

  // Accumulators.
  const sumApK = new Float64Array(kFinite.length);
  let sumApAll = 0;
  const sumPN = new Float64Array(o.pAtN.length);
  const sumRN = new Float64Array(o.pAtN.length);
  const sumTiePN = new Float64Array(o.pAtN.length);
  let sumTieAp = 0;
  let sumPr = 0;
  const prP = new Float64Array(o.prCurve ? B : 0);
  const prR = new Float64Array(o.prCurve ? B : 0);
  const prRet = new Float64Array(o.prCurve ? B : 0);
  const prRelRet = new Float64Array(o.prCurve ? B : 0);
  const prEmpty = new Float64Array(o.prCurve ? B : 0);
  let prTotalRel = 0;
  let zero = 0;
  let totalRel = 0;
  let averaged = 0;
  let emptyRadius = 0;
  const perAp = o.perQuery ? new Float64Array(Q) : undefined;
  const perRel = o.perQuery ? new Int32Array(Q) : undefined;

  // Per-query buffers: O(N + bits), reused. relD / relC hold, for each relevant item in index
  // order, its distance and its 1-based slot among the items at that distance (index order).
  let dist = new Uint16Array(N);
  const relD = new Uint16Array(N);
  const relC = new Int32Array(N);
  const relPos = new Int32Array(N);
  const tot = new Int32Array(B);
  const relH = new Int32Array(B);
  const start = new Int32Array(B);
  const relStart = new Int32Array(B);
  const rad = Math.min(o.radius, bits);

  for (let q = 0; q < Q; q++) {
    dist = hammingDistances(query, q, database, dist);
    tot.fill(0);
    relH.fill(0);
    // Pass 1 (all N items, index order): per-distance histograms of all and of relevant items;
    // each relevant item's distance and slot within its distance are appended (branch-free: the
    // write always happens, the cursor only advances for a relevant item).
    let nr = 0;
    if (lw === 1) {
      const m = qMasks[q];
      for (let j = 0; j < N; j++) {
        const d = dist[j];
        const v = m & dMasks[j];
        const r = (v | -v) >>> 31; // 1 when v !== 0, without a branch
        relD[nr] = d;
        relC[nr] = ++tot[d];
        relH[d] += r;
        nr += r;
      }
    } else {
      const qb = q * lw;
      for (let j = 0, db = 0; j < N; j++, db += lw) {
        let v = 0;
        for (let t = 0; t < lw; t++) v |= qMasks[qb + t] & dMasks[db + t];
        const r = (v | -v) >>> 31;
        const d = dist[j];
        relD[nr] = d;
        relC[nr] = ++tot[d];
        relH[d] += r;
        nr += r;
      }
    }
    const R = nr;
    totalRel += R;
    if (perRel) perRel[q] = R;
    if (R === 0) {
      zero++;
      if (exclude) continue;
    }
    averaged++;

    // Precision within the radius and the PR curve: from the histograms alone.
    {
      let ret = 0;
      let rr = 0;
      for (let d = 0; d <= rad; d++) {
        ret += tot[d];
        rr += relH[d];
      }
      if (ret === 0) emptyRadius++;
      else sumPr += rr / ret;
    }
    if (o.prCurve) {
      let ret = 0;
      let rr = 0;
      for (let d = 0; d < B; d++) {
        ret += tot[d];
        rr += relH[d];
        if (ret > 0) prP[d] += rr / ret;
        else prEmpty[d]++;
        if (R > 0) prR[d] += rr / R;
        prRet[d] += ret;
        prRelRet[d] += rr;
      }
      prTotalRel += R;
    }
    if (R === 0) continue; // every ranked number is 0 for this query

    // Pass 2 (relevant items only): counting sort by distance, stable, giving the 1-based rank
    // positions of the relevant items in ranking order (distance ascending, ties by index).
    let s = 0;
    let sr = 0;
    for (let d = 0; d < B; d++) {
      start[d] = s;
      relStart[d] = sr;
      s += tot[d];
      sr += relH[d];
    }
    for (let i = 0; i < R; i++) {
      const d = relD[i];
      relPos[relStart[d]++] = start[d] + relC[i];
    }

    // Pass 3 (relevant items only): the t-th relevant item at rank p adds t / p to AP; prefix
    // sums are recorded at the checkpoints (k and N cut-offs, and the m-th relevant for DJSRH).
    let nm = 0;
    if (djsrh) {
      for (let i = 0; i < kFinite.length; i++) {
        const m = Math.min(kFinite[i], R);
        if (nm === 0 || ms[nm - 1] !== m) ms[nm++] = m;
      }
    }
    let cum = 0;
    let ap = 0;
    for (let c = 0; c < C; c++) {
      const end = cpsArr[c];
      while (cum < R && relPos[cum] <= end) {
        cum++;
        ap += cum / relPos[cum - 1];
      }
      cumAt[c] = cum;
      apAt[c] = ap;
    }
    if (djsrh) {
      // AP prefix at the m-th relevant item, m = min(k, R) (recomputed from the start: the
      // m-th relevant item may lie before or after any position checkpoint).
      let a = 0;
      let t = 0;
      for (let i = 0; i < nm; i++) {
        for (; t < ms[i]; t++) a += (t + 1) / relPos[t];
        apAtM[i] = a;
      }
    }
    if (needAll) {
      while (cum < R) {
        cum++;
        ap += cum / relPos[cum - 1];
      }
    }
    const apAll = ap / R;
    if (needAll) sumApAll += apAll;
    if (perAp) perAp[q] = apAll;
    for (let i = 0; i < kFinite.length; i++) {
      if (djsrh) {
        const m = Math.min(kFinite[i], R);
        let t = 0;
        while (ms[t] !== m) t++;
        sumApK[i] += apAtM[t] / m;
      } else {
        const c = kCp[i];
        if (cumAt[c] > 0) sumApK[i] += apAt[c] / cumAt[c];
      }
    }
    for (let i = 0; i < o.pAtN.length; i++) {
      const c = nCp[i];
      sumPN[i] += cumAt[c] / o.pAtN[i];
      sumRN[i] += cumAt[c] / R;
    }

    if (o.tieAware) {
      sumTieAp += tieAwareAp(tot, relH, B, R);
      for (let i = 0; i < o.pAtN.length; i++) {
        sumTiePN[i] += tieAwareRelevantInTop(tot, relH, B, o.pAtN[i]) / o.pAtN[i];
      }
    }
  }

  const mean = (x: number) => (averaged > 0 ? x / averaged : 0);
  const out: Record<string, unknown> = {
    queries: Q,
    database: N,
    bits,
    zeroRelevanceQueries: zero,
    relevantPairRate: totalRel / (Q * N),
    averagedQueries: averaged,
  };
  for (const k of o.ks) {
    if (k === "all") out["mAP@all"] = mean(sumApAll);
    else out[`mAP@${k}`] = mean(sumApK[kFinite.indexOf(Math.min(k, N))]);
  }
  out.radius = o.radius;
  out[`P@r${o.radius}`] = mean(sumPr);
  out.emptyRadiusQueries = emptyRadius;
  out["P@N"] = {
    N: [...o.pAtN],
    precision: Array.from(sumPN, mean),
    recall: Array.from(sumRN, mean),
  } satisfies PrecisionAtNCurve;
  if (o.prCurve) {
    out.PR = {
      radius: Array.from({ length: B }, (_, d) => d),
      precision: Array.from(prP, mean),
      recall: Array.from(prR, mean),
      precisionMicro: Array.from(prRet, (ret, d) => (ret > 0 ? prRelRet[d] / ret : 0)),
      recallMicro: Array.from(prRelRet, (rr) => (prTotalRel > 0 ? rr / prTotalRel : 0)),
      meanRetrieved: Array.from(prRet, mean),
      emptyShare: Array.from(prEmpty, mean),
    } satisfies RadiusPrCurve;
  }
  if (o.tieAware) {
    out.tieAware = { "mAP@all": mean(sumTieAp), "P@N": Array.from(sumTiePN, mean) };
  }
  if (perAp && perRel) out.perQuery = { "AP@all": Array.from(perAp), relevant: Array.from(perRel) };
  out.variants = variantsOf(o);
  return out as RetrievalMetrics;
}

/**
 * Tie-aware AP@all (McSherry & Najork 2008) from per-distance histograms: the expectation of AP
 * over all orders of the items at each distance. For the group at distance d with n items, r of
 * them relevant, preceded by N0 items of which R0 are relevant, a relevant item is equally likely at
 * each slot j = 1..n and expects (j - 1)(r - 1)/(n - 1) relevant items before it in its group, so
 * the group contributes (r / n) * sum_j (R0 + 1 + (j - 1)(r - 1)/(n - 1)) / (N0 + j).
 */
export function tieAwareAp(
  tot: ArrayLike<number>,
  relH: ArrayLike<number>,
  B: number,
  R: number,
): number {
  if (R === 0) return 0;
  let s = 0;
  let n0 = 0;
  let r0 = 0;
  for (let d = 0; d < B; d++) {
    const n = tot[d];
    const r = relH[d];
    if (r > 0) {
      if (n === 1) s += (r0 + 1) / (n0 + 1);
      else {
        const b = (r - 1) / (n - 1);
        let t = 0;
        for (let j = 1; j <= n; j++) t += (r0 + 1 + (j - 1) * b) / (n0 + j);
        s += (r * t) / n;
      }
    }
    n0 += n;
    r0 += r;
  }
  return s / R;
}

/** Expected number of relevant items in the top N when tied items are in random order. */
export function tieAwareRelevantInTop(
  tot: ArrayLike<number>,
  relH: ArrayLike<number>,
  B: number,
  N: number,
): number {
  let n0 = 0;
  let r0 = 0;
  for (let d = 0; d < B; d++) {
    const n = tot[d];
    if (n0 + n >= N) return r0 + ((N - n0) * relH[d]) / n;
    n0 += n;
    r0 += relH[d];
  }
  return r0;
}

/**
 * Evaluate one retrieval direction: mAP@all / mAP@k, the P@N curve, the PR curve by Hamming radius
 * and precision within a Hamming radius, ranking by Hamming distance with ties by database index.
 */
export function evaluateRetrieval(input: RetrievalInput): RetrievalMetrics {
  if (input === null || typeof input !== "object") {
    throw new TypeError(
      "evaluateRetrieval expects { query, database, queryLabels, databaseLabels }",
    );
  }
  const { query, database, queryLabels, databaseLabels } = input;
  validateCodes(query, "query");
  validateCodes(database, "database");
  const packed = packLabelPair(queryLabels, databaseLabels);
  return evaluatePacked(
    query,
    database,
    packed.query,
    packed.database,
    resolveOptions(input, database.n),
  );
}

/** mAP at one cut-off (`"all"` by default) for one direction; a shortcut of `evaluateRetrieval`. */
export function meanAveragePrecision(input: Omit<RetrievalInput, "k">, k: TopK = "all"): number {
  const r = evaluateRetrieval({ ...input, k, prCurve: false, precisionAtN: [] });
  return r[`mAP@${k}`];
}
