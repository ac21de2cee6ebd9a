// Euclidean projection onto the probability simplex (exact, sort-based; Duchi et al., ICML 2008).

import { LinalgError } from "./dense";

/**
 * Euclidean projection of `v` onto the simplex {x ≥ 0, Σx = radius}: sort descending, find the
 * largest ρ with u_ρ − (Σ_{s≤ρ} u_s − radius)/ρ > 0, θ = (Σ_{s≤ρ} u_s − radius)/ρ, x = max(v − θ, 0).
 * Writes into `out` when given (may alias `v`), else into a new Float64Array.
 */
export function projectSimplex(
  v: ArrayLike<number>,
  radius = 1,
  out?: Float64Array | Float32Array,
): Float64Array | Float32Array {
  const k = v.length;
  if (k === 0) throw new LinalgError("projectSimplex: empty vector");
  if (!(radius > 0) || !Number.isFinite(radius)) {
    throw new LinalgError(`projectSimplex: radius must be a positive finite number, got ${radius}`);
  }
  const u = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const x = v[i];
    if (x - x !== 0) throw new LinalgError(`projectSimplex: non-finite value ${x} at index ${i}`);
    u[i] = x;
  }
  u.sort();
  // u ascending: walk from the largest down.
  let cum = 0;
  let theta = 0;
  for (let r = 1; r <= k; r++) {
    const ur = u[k - r];
    cum += ur;
    const t = (cum - radius) / r;
    if (ur - t > 0) theta = t;
    else break;
  }
  const res = out ?? new Float64Array(k);
  if (res.length !== k)
    throw new LinalgError(`projectSimplex: out has length ${res.length}, expected ${k}`);
  for (let i = 0; i < k; i++) {
    const y = v[i] - theta;
    res[i] = Math.max(y, 0);
  }
  return res;
}
