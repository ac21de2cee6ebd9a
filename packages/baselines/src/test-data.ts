// Deterministic correlated two-view data with known population canonical correlations (tests only).
import type { Matrix } from "@cmh/datasets";
import { createRng } from "@cmh/tensor-core";

/**
 * Paired views with k shared latent coordinates: x_i = z_i + a_i·e, y_i = z_i + b_i·f (i < k),
 * plus pure-noise coordinates, then each view mixed by a random invertible matrix. The population
 * canonical correlations are 1/√((1+a_i²)(1+b_i²)) (CCA is invariant to the mixing).
 */
export function correlatedViews(
  n: number,
  noiseX: readonly number[],
  noiseY: readonly number[],
  extraX: number,
  extraY: number,
  seed = 1,
): { x: Matrix; y: Matrix; correlations: number[] } {
  const rng = createRng(seed);
  const k = noiseX.length;
  const dx = k + extraX;
  const dy = k + extraY;
  const rawX = new Float64Array(n * dx);
  const rawY = new Float64Array(n * dy);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) {
      const z = rng.normal();
      rawX[r * dx + i] = z + noiseX[i] * rng.normal();
      rawY[r * dy + i] = z + noiseY[i] * rng.normal();
    }
    for (let i = k; i < dx; i++) rawX[r * dx + i] = rng.normal();
    for (let i = k; i < dy; i++) rawY[r * dy + i] = rng.normal();
  }
  const mix = (raw: Float64Array, d: number, offset: number): Matrix => {
    const m = Float64Array.from(
      { length: d * d },
      (_, i) => (i % (d + 1) === 0 ? 2 : 0) + 0.5 * rng.normal(),
    );
    const out = new Float32Array(n * d);
    for (let r = 0; r < n; r++)
      for (let j = 0; j < d; j++) {
        let s = offset;
        for (let t = 0; t < d; t++) s += raw[r * d + t] * m[t * d + j];
        out[r * d + j] = s;
      }
    return { rows: n, cols: d, data: out };
  };
  const correlations = noiseX.map((a, i) => 1 / Math.sqrt((1 + a * a) * (1 + noiseY[i] ** 2)));
  return { x: mix(rawX, dx, 3), y: mix(rawY, dy, -1), correlations };
}
