import { createRng, initBackend, tf } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import { localResponseNorm, scaleBins, TextNet } from "./network";

// The light R1 path computes the multi-scale products without building the d_t x (1+S) matrix
// (TextNet.lightR1Products). These tests hold it to a straightforward implementation of the
// computation it replaced (the code before the light path): pool -> 1x1 conv -> ReLU -> nearest resize to d_t
// -> stack with the BoW into [b, d_t, 1+S] -> transpose -> times conv2 and shortcut -> rest of the net.

beforeAll(async () => {
  await initBackend({ log: false });
});

type Net = TextNet;

function refMultiScale(net: Net, t: tf.Tensor2D): tf.Tensor3D {
  const [b, d] = t.shape;
  const cols: tf.Tensor[] = [t];
  const wb = tf.unstack(net.scaleWeights);
  net.scales.forEach((s, i) => {
    const { size, bins } = scaleBins(d, s);
    const pooled = tf.mean(tf.reshape(tf.slice(t, [0, 0], [b, bins * size]), [b, bins, size]), 2);
    const [w, bias] = tf.unstack(wb[i]);
    const y = tf.relu(tf.add(tf.mul(pooled, w), bias));
    const up = tf.image.resizeNearestNeighbor(tf.reshape(y, [b, bins, 1, 1]) as tf.Tensor4D, [
      d,
      1,
    ]);
    cols.push(tf.reshape(up, [b, d]));
  });
  return tf.stack(cols, 2) as tf.Tensor3D;
}

type Block = Net["blocks"][number];

function bn(block: Block["bn1"], x: tf.Tensor, training: boolean): tf.Tensor {
  const c = x.shape[x.shape.length - 1];
  return tf.reshape(block.apply(tf.reshape(x, [-1, c]), training), x.shape);
}

function refWidthConv(x: tf.Tensor, weight: tf.Tensor, k: number, pad: number): tf.Tensor {
  const [b, w0, cin] = x.shape;
  const xp = tf.pad(x, [
    [0, 0],
    [pad, pad],
    [0, 0],
  ]);
  const wOut = w0 + 2 * pad - k + 1;
  const win = tf.concat(
    Array.from({ length: k }, (_, i) => tf.slice(xp, [0, i, 0], [b, wOut, cin])),
    2,
  );
  const y = tf.matMul(tf.reshape(win, [b * wOut, k * cin]) as tf.Tensor2D, weight as tf.Tensor2D);
  return tf.reshape(y, [b, wOut, weight.shape[1] as number]);
}

function refLightR1(block: Block, x: tf.Tensor3D, training: boolean): tf.Tensor {
  const [b, d, w] = x.shape;
  const xs = tf.reshape(tf.transpose(x, [0, 2, 1]), [b * w, d]) as tf.Tensor2D;
  const collapsed = tf.reshape(tf.matMul(xs, block.conv2 as tf.Tensor2D), [b, w, block.cout]);
  const h = tf.relu(bn(block.bn1, collapsed, training));
  const main = bn(block.bn2, refWidthConv(h, block.conv1, 3, 1), training);
  const sc = tf.reshape(block.bnS.apply(tf.matMul(xs, block.shortcut as tf.Tensor2D), training), [
    b,
    w,
    block.cout,
  ]);
  return tf.relu(tf.add(main, sc));
}

/** The pre-change TextNet.forward with the light R1 block (fused output and per-level codes). */
function refForward(net: Net, t: tf.Tensor2D, training: boolean): tf.Tensor2D[] {
  const b = t.shape[0];
  const levels: tf.Tensor2D[] = [];
  let z: tf.Tensor = refLightR1(net.blocks[0], refMultiScale(net, t), training);
  for (let i = 0; i < 4; i++) {
    if (i > 0) z = net.blocks[i].apply(z, training);
    const ca = net.channelAtt[i];
    const sa = net.spatialAtt[i];
    if (ca) z = ca.apply(z);
    if (sa) z = sa.apply(z);
    const { conv, out } = net.heads[i];
    const hidden = localResponseNorm(conv.apply(tf.reshape(z, [b, -1])) as tf.Tensor2D);
    levels.push(tf.tanh(out.apply(hidden)) as tf.Tensor2D);
  }
  return [net.fusion.apply(levels), ...levels];
}

function newForward(net: Net, t: tf.Tensor2D, training: boolean): tf.Tensor2D[] {
  const o = net.forward(t, training);
  return [o.out, ...o.levels];
}

/** max |a - b| / max(max |b|, 1e-6), over a list of tensors. */
function relDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  let worst = 0;
  a.forEach((x, i) => {
    const da = x.dataSync();
    const db = b[i].dataSync();
    let diff = 0;
    let scale = 1e-6;
    for (let j = 0; j < db.length; j++) {
      diff = Math.max(diff, Math.abs(da[j] - db[j]));
      scale = Math.max(scale, Math.abs(db[j]));
    }
    worst = Math.max(worst, diff / scale);
  });
  return worst;
}

const TOL = 1e-4;

type TextInput = "binary" | "dense" | "standardized";

function check(d: number, b: number, scales: number[], input: TextInput, seed: number) {
  const rng = createRng(seed);
  const net = new TextNet(d, scales, [4, 8, 8, 16], 16, rng, {
    bits: 8,
    cbam: true,
    reduction: 4,
    fusion: "attention",
    init: { normal: 0.1 },
    lightR1: true,
  });
  // Random 1x1-conv weights and biases of both signs, so every ReLU branch is exercised.
  const sw = new Float32Array(scales.length * 2).map(() => rng.normal() * 0.8);
  net.scaleWeights.assign(tf.tensor2d(sw, [scales.length, 2]));
  // "standardized": what the input stage makes of a BoW column (centred, signed, sparse pattern
  // gone): the light path is linear algebra and must stay exact for any real input.
  const data = new Float32Array(b * d).map(() =>
    input === "binary"
      ? rng.uniform() < 0.05
        ? 1
        : 0
      : input === "dense"
        ? rng.uniform()
        : rng.normal() * 3,
  );
  const t = tf.tensor2d(data, [b, d]);
  const r = tf.randomNormal([b, 8], 0, 1, "float32", seed);
  const vars = net.variables().filter((v) => v.trainable);
  const named = new Map(Object.entries(net.namedWeights()).map(([k, v]) => [v, k]));
  const result: Record<string, number> = {};
  // Eval mode first (BN running statistics are what training calls update).
  result.evalOut = tf.tidy(() => relDiff(newForward(net, t, false), refForward(net, t, false)));
  result.trainOut = tf.tidy(() => relDiff(newForward(net, t, true), refForward(net, t, true)));
  const loss = (fwd: typeof newForward) => () =>
    tf.addN(fwd(net, t, true).map((o, k) => tf.sum(tf.mul(o, tf.mul(r, k + 1))))) as tf.Scalar;
  tf.tidy(() => {
    const gNew = tf.variableGrads(loss(newForward), vars).grads;
    const gRef = tf.variableGrads(loss(refForward), vars).grads;
    for (const v of vars) {
      const name = named.get(v) ?? v.name;
      result[`grad ${name}`] = relDiff([gNew[v.name]], [gRef[v.name]]);
    }
  });
  tf.dispose([t, r]);
  for (const v of Object.values(net.namedWeights())) v.dispose();
  return result;
}

describe("text net, light R1: products without the d_t x (1+S) matrix equal the old computation", () => {
  const cases: [string, number, number, number[], TextInput][] = [
    ["MIRFlickr width 1386, binary BoW", 1386, 12, [50, 30, 15, 10, 5], "binary"],
    ["width 137 (no scale divides it), dense input", 137, 9, [50, 30, 15, 10, 5], "dense"],
    ["a scale wider than the text (clamped), odd scales", 41, 6, [50, 7, 3, 2], "dense"],
    [
      "width 300, standardized (signed, centred) input",
      300,
      8,
      [50, 30, 15, 10, 5],
      "standardized",
    ],
  ];
  for (const [label, d, b, scales, input] of cases) {
    it(`${label}: outputs and every gradient within ${TOL} relative`, () => {
      const res = check(d, b, scales, input, d);
      if (process.env.SHOW_DIFFS) console.log(label, res);
      // The input-side weights the rewrite touches are among those compared.
      expect(Object.keys(res)).toEqual(
        expect.arrayContaining(["grad scales", "grad block0.conv2", "grad block0.shortcut"]),
      );
      for (const [k, v] of Object.entries(res))
        expect({ k, v: v <= TOL ? 0 : v }).toEqual({ k, v: 0 });
    });
  }
});
