// SGEH's batching (paper §2.3, spec §5): each epoch draws edges of the unified graph Z, a batch of t
// edges becomes its unique vertices V and the ±1 adjacency A among them, and an optimiser step takes
// K such batches with their targets U stacked block-diagonally. Also the real samples of the code
// prior the discriminator compares the codes with.

import type { CrossModalSet } from "@cmh/datasets";
import { batchIndices, type Rng, rowsTensor, tf } from "@cmh/tensor-core";
import type { SGEHConfig } from "./config";
import type { EdgeList } from "./graph";
import { batchTarget, type TargetOptions } from "./losses";

/** One training batch: vertices and the binary ±1 adjacency among them. */
export interface EdgeBatch {
  /** Unique endpoints (training-row indices), in order of first appearance. */
  readonly vertices: Int32Array;
  /** n×n row-major ±1 adjacency (2A − 1), symmetric, +1 diagonal. */
  readonly adjacency: Float32Array;
}

/**
 * Batch from edges (spec §5 steps 1–3): unique endpoints V, A = 1 on the sampled edges (both
 * directions) and the diagonal, else 0, then A ← 2A − 1. With `allEdges`, every Z-edge among V counts.
 */
export function edgeBatch(
  edges: EdgeList,
  picks: ArrayLike<number>,
  allEdges?: (i: number, j: number) => boolean,
): EdgeBatch {
  const pos = new Map<number, number>();
  const verts: number[] = [];
  const add = (v: number) => {
    let p = pos.get(v);
    if (p === undefined) {
      p = verts.length;
      pos.set(v, p);
      verts.push(v);
    }
    return p;
  };
  const pairs: [number, number][] = [];
  for (let t = 0; t < picks.length; t++) {
    const e = picks[t];
    pairs.push([add(edges.from[e]), add(edges.to[e])]);
  }
  const n = verts.length;
  const a = new Float32Array(n * n).fill(-1);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  for (const [i, j] of pairs) {
    a[i * n + j] = 1;
    a[j * n + i] = 1;
  }
  if (allEdges) {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        if (i !== j && allEdges(verts[i], verts[j])) {
          a[i * n + j] = 1;
          a[j * n + i] = 1;
        }
  }
  return { vertices: Int32Array.from(verts), adjacency: a };
}

/**
 * Stack K batch targets into one block-diagonal target and its pair weights (1/(K·n_k²) on block
 * k, 0 off the blocks), for `reconstructionLoss` over the concatenated batch.
 */
export function blockTargets(
  targets: readonly Float32Array[],
  sizes: readonly number[],
): {
  target: Float32Array;
  weights: Float32Array;
  n: number;
} {
  const n = sizes.reduce((a, b) => a + b, 0);
  const target = new Float32Array(n * n);
  const weights = new Float32Array(n * n);
  const k = sizes.length;
  let off = 0;
  for (let b = 0; b < k; b++) {
    const nb = sizes[b];
    const u = targets[b];
    const w = 1 / (k * nb * nb);
    for (let i = 0; i < nb; i++)
      for (let j = 0; j < nb; j++) {
        target[(off + i) * n + off + j] = u[i * nb + j];
        weights[(off + i) * n + off + j] = w;
      }
    off += nb;
  }
  return { target, weights, n };
}

/** Real samples of the code prior: i.i.d. ±1 with probability ½ each (rows × bits). */
export function bernoulliPm1(rows: number, bits: number, rng: Rng): Float32Array {
  const out = new Float32Array(rows * bits);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform() < 0.5 ? -1 : 1;
  return out;
}

/** Where batches come from: the edges of Z (SGEH), or random rows when there is no graph (DJSRH). */
export interface BatchSource {
  /** Training rows m. */
  readonly rows: number;
  /** Edge list of Z; undefined for random row batches. */
  readonly edges?: EdgeList;
  /** With `batchAdjacency: "all"`: whether Z has the edge (i, j). */
  readonly hasEdge?: (i: number, j: number) => boolean;
}

/**
 * One epoch's batches (paper §2.3): a random order of Z's edges (or `edgesPerEpoch` of them drawn
 * without replacement) cut into batches of t edges; without a graph, random row batches (drop last).
 */
export function epochBatches(
  source: BatchSource,
  c: Pick<SGEHConfig, "batchSize" | "edgesPerBatch" | "edgesPerEpoch">,
  rng: Rng,
): Uint32Array[] {
  const { edges } = source;
  if (!edges) return batchIndices(source.rows, { batchSize: c.batchSize, rng, dropLast: true });
  const total = edges.from.length;
  const order =
    c.edgesPerEpoch > 0 && c.edgesPerEpoch < total
      ? rng.choice(total, c.edgesPerEpoch)
      : rng.permutation(total);
  const out: Uint32Array[] = [];
  for (let s = 0; s < order.length; s += c.edgesPerBatch)
    out.push(order.subarray(s, Math.min(order.length, s + c.edgesPerBatch)));
  return out;
}

/** What one optimiser step trains on: the rows' features, the target U and its pair weights. */
export interface StepBatch {
  /** Training-row indices, the K batches' vertices one after another. */
  readonly rows: ArrayLike<number>;
  readonly image: tf.Tensor2D;
  readonly text: tf.Tensor2D;
  /** Target U (n×n; block-diagonal for K > 1 batches). */
  readonly target: tf.Tensor2D;
  /** 1/(K·n_k²) on block k, 0 elsewhere; undefined for a single batch (plain means). */
  readonly pairWeights?: tf.Tensor2D;
}

/**
 * The step's batch from K picks (paper §2.3, Eqs. 8–10): per pick, its vertices, ±1 adjacency and
 * target U; K > 1 picks are stacked block-diagonally (`blockTargets`). Free it with `disposeStepBatch`.
 */
export function stepBatch(
  train: CrossModalSet,
  source: BatchSource,
  picks: readonly ArrayLike<number>[],
  target: TargetOptions,
): StepBatch {
  const withRows = (
    rows: ArrayLike<number>,
    u: tf.Tensor2D,
    pairWeights?: tf.Tensor2D,
  ): StepBatch => ({
    rows,
    target: u,
    pairWeights,
    image: rowsTensor(train.image, rows),
    text: rowsTensor(train.text, rows),
  });
  const one = (pick: ArrayLike<number>) => {
    let verts: ArrayLike<number> = pick;
    let adj: tf.Tensor2D | null = null;
    if (source.edges) {
      const b = edgeBatch(source.edges, pick, source.hasEdge);
      verts = b.vertices;
      adj = tf.tensor2d(b.adjacency, [verts.length, verts.length]);
    }
    const xi = rowsTensor(train.image, verts);
    const xt = rowsTensor(train.text, verts);
    try {
      return { verts, u: batchTarget(xi, xt, adj, target) };
    } finally {
      tf.dispose([xi, xt]);
      if (adj) adj.dispose();
    }
  };
  if (picks.length === 1) {
    const { verts, u } = one(picks[0]);
    return withRows(verts, u);
  }
  const parts = picks.map(one);
  const sizes = parts.map((p) => p.verts.length);
  const data = parts.map((p) => {
    const d = p.u.dataSync() as Float32Array;
    p.u.dispose();
    return d;
  });
  const stacked = blockTargets(data, sizes);
  const verts = new Int32Array(stacked.n);
  let off = 0;
  for (const p of parts) {
    verts.set(Array.from(p.verts), off);
    off += p.verts.length;
  }
  return withRows(
    verts,
    tf.tensor2d(stacked.target, [stacked.n, stacked.n]),
    tf.tensor2d(stacked.weights, [stacked.n, stacked.n]),
  );
}

/** Free a step batch's tensors. */
export function disposeStepBatch(b: StepBatch): void {
  tf.dispose([b.image, b.text, b.target]);
  if (b.pairWeights) b.pairWeights.dispose();
}
