// Iterative quantisation (Gong & Lazebnik, CVPR 2011 / TPAMI 2013): find the rotation R that
// minimises ‖B − V·R‖²_F over B ∈ {−1, +1}^{n×c}, alternating B = sgn(V·R) and orthogonal
// Procrustes for R. As in Gong's `ITQ.m`: random orthogonal start, sgn(0) = +1.

import { LinalgError, type Matrix64, type MatrixLike, svd } from "@cmh/tensor-core";

/** A random c×c orthogonal matrix (the U factor of a Gaussian matrix, as in Gong's code). */
export function randomRotation(c: number, normal: () => number): Matrix64 {
  if (!Number.isInteger(c) || c < 1)
    throw new LinalgError(`randomRotation: size must be a positive integer, got ${c}`);
  const g = new Float64Array(c * c);
  for (let i = 0; i < g.length; i++) g[i] = normal();
  return svd({ rows: c, cols: c, data: g }).U;
}

/** z ← row i of V·R (V n×c, R c×c), skipping V's zeros. */
function projectRow(v: MatrixLike, r: Matrix64, i: number, z: Float64Array): void {
  const c = v.cols;
  z.fill(0);
  const vb = i * c;
  for (let k = 0; k < c; k++) {
    const x = v.data[vb + k];
    if (x === 0) continue;
    const rb = k * c;
    for (let j = 0; j < c; j++) z[j] += x * r.data[rb + j];
  }
}

/** ‖sgn(V·R) − V·R‖²_F / (n·c): the quantisation loss of rotation R on V (n×c). */
export function quantizationLoss(v: MatrixLike, r: Matrix64): number {
  const { rows: n, cols: c } = v;
  let loss = 0;
  const z = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    projectRow(v, r, i, z);
    for (let j = 0; j < c; j++) {
      const b = z[j] >= 0 ? 1 : -1;
      loss += (b - z[j]) ** 2;
    }
  }
  return loss / (n * c);
}

/**
 * One ITQ iteration: B = sgn(V·R), then R' = argmin_R ‖B − V·R‖ = U_A·U_Bᵀ from svd(Bᵀ·V) = U_B·Σ·U_Aᵀ.
 * Returns the new rotation and the loss ‖B − V·R'‖²_F/(n·c) (never above the loss of R).
 */
export function itqStep(v: MatrixLike, r: Matrix64): { rotation: Matrix64; loss: number } {
  const { rows: n, cols: c } = v;
  if (r.rows !== c || r.cols !== c)
    throw new LinalgError(`itqStep: rotation is ${r.rows}x${r.cols}, expected ${c}x${c}`);
  // C = Bᵀ·V (c×c) accumulated row by row with B = sgn(V·R).
  const C = new Float64Array(c * c);
  const z = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    projectRow(v, r, i, z);
    const vb = i * c;
    for (let j = 0; j < c; j++) {
      const b = z[j] >= 0 ? 1 : -1;
      const cb = j * c;
      for (let k = 0; k < c; k++) C[cb + k] += b * v.data[vb + k];
    }
  }
  const { U, V } = svd({ rows: c, cols: c, data: C }); // C = U_B·Σ·U_Aᵀ
  const rot = new Float64Array(c * c);
  for (let i = 0; i < c; i++)
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += V.data[i * c + k] * U.data[j * c + k];
      rot[i * c + j] = s;
    }
  // Loss with the same B and the new R: ‖B‖² − 2·tr(R'ᵀ·Vᵀ·B) + ‖V‖² (R' orthogonal).
  let vv = 0;
  for (let i = 0; i < n * c; i++) vv += v.data[i] * v.data[i];
  let tr = 0; // tr(R'ᵀ Vᵀ B) = Σ_{k,j} R'[k][j]·C[j][k]
  for (let k = 0; k < c; k++) for (let j = 0; j < c; j++) tr += rot[k * c + j] * C[j * c + k];
  const loss = (n * c - 2 * tr + vv) / (n * c);
  return { rotation: { rows: c, cols: c, data: rot }, loss: Math.max(0, loss) };
}

/** Options for {@link itq}. */
export interface ItqOptions {
  /** Alternating (B, R) updates (default 50). */
  readonly iterations?: number;
  /** Standard-normal source for the random orthogonal start. */
  readonly normal: () => number;
}

/** Run ITQ on zero-mean data V (n×c): the final rotation and the loss after each iteration. */
export function itq(v: MatrixLike, options: ItqOptions): { rotation: Matrix64; losses: number[] } {
  const iterations = options.iterations ?? 50;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new LinalgError(`itq: iterations must be an integer >= 0, got ${iterations}`);
  }
  let r = randomRotation(v.cols, options.normal);
  const losses: number[] = [];
  for (let t = 0; t < iterations; t++) {
    const step = itqStep(v, r);
    r = step.rotation;
    losses.push(step.loss);
  }
  return { rotation: r, losses };
}
