import { createRng, initBackend, tf } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  fgsc,
  labelTensor,
  modalityLoss,
  pairLoss,
  quantLoss,
  similarityMatrix,
  unifiedCodes,
} from "./index";
import { ImageNet, LevelFusion, scaleBins, TextNet } from "./network";

const t2 = (rows: number[][]) => tf.tensor2d(rows);

beforeAll(async () => {
  await initBackend({ log: false });
});

describe("FGSC similarity (spec section 10)", () => {
  it("is 1 for identical, 0 for disjoint, 1/sqrt(2) for [1,1,0] vs [1,0,0], symmetric", () => {
    expect(fgsc([1, 0, 1], [1, 0, 1])).toBe(1);
    expect(fgsc([1, 0, 0], [0, 1, 1])).toBe(0);
    expect(fgsc([1, 1, 0], [1, 0, 0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(fgsc([1, 0, 0], [1, 1, 0])).toBe(fgsc([1, 1, 0], [1, 0, 0]));
    expect(fgsc([0, 0, 0], [1, 0, 0])).toBe(0);
  });

  it("batch matrix matches the pairwise value, diagonal 1, range [0, 1], zero-label rows 0", () => {
    const rows = [
      [1, 1, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 1, 1],
      [1, 1, 1, 0],
      [0, 0, 0, 0],
    ];
    const labels = { rows: 5, cols: 4, data: Uint8Array.from(rows.flat()) };
    const L = labelTensor(labels);
    const S = similarityMatrix(L, L);
    const s = S.arraySync() as number[][];
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) {
        expect(s[i][j]).toBeCloseTo(fgsc(rows[i], rows[j]), 6);
        expect(s[i][j]).toBeCloseTo(s[j][i], 6);
        expect(s[i][j]).toBeGreaterThanOrEqual(0);
        expect(s[i][j]).toBeLessThanOrEqual(1 + 1e-6);
        expect(Number.isFinite(s[i][j])).toBe(true);
      }
      if (i < 4) expect(s[i][i]).toBeCloseTo(1, 6);
    }
    expect(s[4][4]).toBe(0);
    const bin = similarityMatrix(L, L, "binary").arraySync() as number[][];
    expect(bin[0][1]).toBe(1);
    expect(bin[0][2]).toBe(0);
    tf.dispose([L, S]);
  });
});

describe("losses (spec section 10)", () => {
  const c = 8;
  const ones = () => t2([Array(c).fill(1)]);
  const minus = () => t2([Array(c).fill(-1)]);

  it("a pair term is 0 exactly when <f, g> = c (2S - 1)", () => {
    for (const norm of ["mean", "pairs", "sum"] as const) {
      expect(pairLoss(ones(), ones(), t2([[1]]), norm).dataSync()[0]).toBeCloseTo(0, 6);
      expect(pairLoss(ones(), minus(), t2([[0]]), norm).dataSync()[0]).toBeCloseTo(0, 6);
      // S = 0.5 wants orthogonal codes.
      const f = t2([[1, 1, 1, 1, 1, 1, 1, 1]]);
      const g = t2([[1, 1, 1, 1, -1, -1, -1, -1]]);
      expect(pairLoss(f, g, t2([[0.5]]), norm).dataSync()[0]).toBeCloseTo(0, 6);
    }
  });

  it("with the suggested normalisation a pair term is (u - S)^2: f = g = 1, S = 0 gives 1", () => {
    expect(pairLoss(ones(), ones(), t2([[0]]), "mean").dataSync()[0]).toBeCloseTo(1, 6);
    expect(pairLoss(ones(), ones(), t2([[0]]), "sum").dataSync()[0]).toBeCloseTo(c * c, 4);
    expect(pairLoss(ones(), ones(), t2([[0]]), "pairs").dataSync()[0]).toBeCloseTo(c * c, 4);
  });

  it("the gradient of one literal inter term w.r.t. f_i is ((<f,g> + c)/2 - cS) g (autodiff and finite differences)", () => {
    const rng = createRng(5);
    const fv = Array.from({ length: c }, () => rng.uniformIn(-1, 1));
    const gv = Array.from({ length: c }, () => rng.uniformIn(-1, 1));
    const sVal = 0.7;
    const s = t2([[sVal]]);
    const g = t2([gv]);
    const loss = (f: tf.Tensor) => pairLoss(f as tf.Tensor2D, g, s, "sum");
    const grad = tf
      .grad(loss)(t2([fv]))
      .dataSync();
    const ip = fv.reduce((a, v, k) => a + v * gv[k], 0);
    const r = (ip + c) / 2 - c * sVal;
    for (let k = 0; k < c; k++) expect(grad[k]).toBeCloseTo(r * gv[k], 3);
    const eps = 1e-2;
    for (let k = 0; k < c; k++) {
      const up = [...fv];
      const dn = [...fv];
      up[k] += eps;
      dn[k] -= eps;
      const fd = (loss(t2([up])).dataSync()[0] - loss(t2([dn])).dataSync()[0]) / (2 * eps);
      expect(fd).toBeCloseTo(r * gv[k], 1);
    }
  });

  it("L_q is 0 when F = G = B in {-1, 1}; literal eq. 6 gives 2N at F = G = 0; per-modality mean is 1", () => {
    const n = 5;
    const B = t2(
      Array.from({ length: n }, (_, i) =>
        Array.from({ length: c }, (_, k) => ((i + k) % 3 === 0 ? 1 : -1)),
      ),
    );
    expect(quantLoss(B, B).dataSync()[0]).toBe(0);
    const zero = tf.zeros([n, c]) as tf.Tensor2D;
    const literal =
      quantLoss(B, zero, "sum").dataSync()[0] + quantLoss(B, zero, "sum").dataSync()[0];
    expect(literal).toBeCloseTo(2 * n, 5);
    expect(quantLoss(B, zero, "mean").dataSync()[0]).toBeCloseTo(1, 6);
  });

  it("B = sign(F + G) maps 0 to +1 and holds only -1/+1", () => {
    const b = unifiedCodes(
      Float32Array.from([0.5, -1, 0, 2, -0.1]),
      Float32Array.from([-0.5, 0.5, 0, -3, 0]),
    );
    expect(Array.from(b)).toEqual([1, -1, 1, -1, -1]);
  });

  it("one network's objective is inter + intra + quantWeight * quant; no own buffer = no intra", () => {
    // Batch of 2 outputs against buffers of 3 items, c = 4: every term non-zero and distinct.
    const out = t2([
      [0.5, -0.2, 0.1, 0.9],
      [-0.7, 0.3, 0.6, -0.1],
    ]);
    const other = t2([
      [1, -1, 1, 1],
      [-0.5, 0.5, 0.2, -0.9],
      [0.1, 0.1, -0.8, 0.4],
    ]);
    const own = t2([
      [0.4, -0.3, 0.2, 0.8],
      [-0.6, 0.2, 0.5, -0.2],
      [0.9, -0.9, 0.1, 0.3],
    ]);
    const s = t2([
      [1, 0.5, 0],
      [0, 0.6, 1],
    ]);
    const codes = t2([
      [1, -1, 1, 1],
      [-1, 1, 1, -1],
    ]);
    const weights = { normalization: "pairs" as const, quantWeight: 2.5 };
    const v = (x: tf.Tensor) => x.dataSync()[0];
    const full = modalityLoss(out, other, own, s, codes, weights);
    const inter = v(pairLoss(out, other, s, "pairs"));
    const intra = v(pairLoss(out, own, s, "pairs"));
    const quant = v(quantLoss(codes, out, "pairs"));
    expect(v(full.inter)).toBeCloseTo(inter, 5);
    expect(v(full.intra)).toBeCloseTo(intra, 5);
    expect(v(full.quant)).toBeCloseTo(quant, 5);
    expect(v(full.total)).toBeCloseTo(inter + intra + 2.5 * quant, 4);
    expect(intra).toBeGreaterThan(0);
    const noIntra = modalityLoss(out, other, null, s, codes, weights);
    expect(v(noIntra.intra)).toBe(0);
    expect(v(noIntra.total)).toBeCloseTo(inter + 2.5 * quant, 4);
  });
});

describe("networks (spec section 10)", () => {
  it("image net (DSPAH-feat): per-level stages and hash heads, fused output in (-1, 1)", () => {
    const net = new ImageNet(20, [32, 16, 16, 8], createRng(1), {
      bits: 16,
      cbam: true,
      reduction: 4,
      fusion: "attention",
    });
    tf.tidy(() => {
      const o = net.forward(tf.randomNormal([6, 20], 0, 1, "float32", 3) as tf.Tensor2D, true);
      expect(o.stages.map((s) => s.shape)).toEqual([
        [6, 32],
        [6, 16],
        [6, 16],
        [6, 8],
      ]);
      for (const h of o.levels) expect(h.shape).toEqual([6, 16]);
      expect(o.out.shape).toEqual([6, 16]);
      const v = o.out.dataSync();
      for (const x of v) expect(Math.abs(x)).toBeLessThan(1);
    });
  });

  it("text net (MIRFlickr width 1386): multi-scale [b, 1386, 6], R1..R4 [b, 6|4|2|1, C], g_k [b, c]", () => {
    const net = new TextNet(1386, [50, 30, 15, 10, 5], [4, 4, 8, 8], 8, createRng(2), {
      bits: 16,
      cbam: true,
      reduction: 16,
      fusion: "attention",
      init: { normal: 0.1 },
    });
    expect(scaleBins(1386, 50)).toEqual({ size: 50, bins: 27 });
    tf.tidy(() => {
      const x = tf.cast(
        tf.greater(tf.randomUniform([2, 1386], 0, 1, "float32", 4), 0.98),
        "float32",
      ) as tf.Tensor2D;
      expect(net.multiScale(x).shape).toEqual([2, 1386, 6]);
      const o = net.forward(x, true);
      expect(o.stages.map((s) => s.shape)).toEqual([
        [2, 6, 4],
        [2, 4, 4],
        [2, 2, 8],
        [2, 1, 8],
      ]);
      for (const g of o.levels) expect(g.shape).toEqual([2, 16]);
      expect(o.out.shape).toEqual([2, 16]);
    });
  });

  it("fusion with A = 0.25 everywhere and identical h_k gives tanh(h)", () => {
    const fusion = new LevelFusion(4, 3, createRng(0), "mean");
    const h = t2([[0.2, -0.5, 0.9]]);
    const f = fusion.apply([h, h, h, h]).dataSync();
    for (const [k, v] of [0.2, -0.5, 0.9].entries()) expect(f[k]).toBeCloseTo(Math.tanh(v), 6);
    const att = new LevelFusion(4, 32, createRng(0), "attention").weight.dataSync();
    const mean = Array.from(att).reduce((a, v) => a + v, 0) / att.length;
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(0.3);
  });
});
