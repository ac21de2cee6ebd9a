import { createRng, type Matrix64, svd } from "@cmh/tensor-core";
import { describe, expect, it } from "vitest";
import { itq, itqStep, quantizationLoss, randomRotation } from "./index";

function orthogonalityError(r: Matrix64): number {
  const c = r.rows;
  let worst = 0;
  for (let i = 0; i < c; i++)
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += r.data[k * c + i] * r.data[k * c + j];
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  return worst;
}

function anisotropic(n: number, c: number, seed: number): Matrix64 {
  const rng = createRng(seed);
  const data = new Float64Array(n * c);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) data[i * c + j] = rng.normal() * (1 + j);
  return { rows: n, cols: c, data };
}

describe("ITQ", () => {
  it("randomRotation is orthogonal and seeded", () => {
    const a = createRng(3);
    const r = randomRotation(12, () => a.normal());
    expect(orthogonalityError(r)).toBeLessThan(1e-12);
    const b = createRng(3);
    expect(Array.from(randomRotation(12, () => b.normal()).data)).toEqual(Array.from(r.data));
  });

  it("the loss is non-increasing over iterations and R stays orthogonal", () => {
    const v = anisotropic(800, 10, 1);
    const rng = createRng(5);
    const { rotation, losses } = itq(v, { iterations: 30, normal: () => rng.normal() });
    expect(losses.length).toBe(30);
    for (let t = 1; t < losses.length; t++)
      expect(losses[t]).toBeLessThanOrEqual(losses[t - 1] + 1e-12);
    expect(losses[29]).toBeLessThan(losses[0]);
    expect(orthogonalityError(rotation)).toBeLessThan(1e-10);
  });

  it("one step never does worse than the rotation it started from, and reports the true loss", () => {
    const v = anisotropic(300, 6, 2);
    const rng = createRng(9);
    const r0 = randomRotation(6, () => rng.normal());
    const before = quantizationLoss(v, r0);
    const { rotation, loss } = itqStep(v, r0);
    expect(loss).toBeLessThanOrEqual(before + 1e-12);
    // The reported loss uses B = sgn(V·R0) with the new R; re-binarising can only lower it.
    expect(quantizationLoss(v, rotation)).toBeLessThanOrEqual(loss + 1e-12);
    // Direct check of the reported value.
    const c = 6;
    let direct = 0;
    for (let i = 0; i < 300; i++)
      for (let j = 0; j < c; j++) {
        let z0 = 0;
        let z1 = 0;
        for (let k = 0; k < c; k++) {
          z0 += v.data[i * c + k] * r0.data[k * c + j];
          z1 += v.data[i * c + k] * rotation.data[k * c + j];
        }
        direct += ((z0 >= 0 ? 1 : -1) - z1) ** 2;
      }
    expect(loss).toBeCloseTo(direct / (300 * c), 10);
  });

  it("converges to the exact rotation of a rotated hypercube code from a nearby start", () => {
    // V = B·Q with B ∈ {±1}: R = Qᵀ gives zero loss; a perturbed start must find it.
    const rng = createRng(4);
    const c = 4;
    const q = randomRotation(c, () => rng.normal());
    const n = 64;
    const v = new Float64Array(n * c);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let k = 0; k < c; k++) s += (((i * 7) >> k) & 1 ? 1 : -1) * q.data[k * c + j];
        v[i * c + j] = s;
      }
    const vm = { rows: n, cols: c, data: v };
    const start = new Float64Array(c * c);
    for (let i = 0; i < c; i++)
      for (let j = 0; j < c; j++) start[i * c + j] = q.data[j * c + i] + 0.15 * rng.normal();
    // Nearest orthogonal matrix to the perturbed Qᵀ (polar factor U·Vᵀ).
    const u = svd({ rows: c, cols: c, data: start });
    const polar = new Float64Array(c * c);
    for (let i = 0; i < c; i++)
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let k = 0; k < c; k++) s += u.U.data[i * c + k] * u.V.data[j * c + k];
        polar[i * c + j] = s;
      }
    let r: Matrix64 = { rows: c, cols: c, data: polar };
    expect(quantizationLoss(vm, r)).toBeGreaterThan(1e-4);
    let loss = Number.POSITIVE_INFINITY;
    for (let t = 0; t < 20; t++) ({ rotation: r, loss } = itqStep(vm, r));
    expect(loss).toBeLessThan(1e-12);
  });
});
