// One epoch of a DJSRH-style MLP pair on random data shaped like the default set:
// image 512->1024->1024->64 (tanh codes), text 1386->1024->1024->64, batch 128, 5,000 items,
// loss = MSE between the batch's cross-modal cosine matrix and the image cosine matrix, SGD momentum.
// Usage: node bench/mlp-epoch.mjs [epochs]   (after `pnpm build`); compare with bench/mlp-epoch.py.
import {
  batchIndices,
  createRng,
  initBackend,
  Mlp,
  rowsTensor,
  Sgd,
  TrainingLoop,
  tf,
} from "../dist/index.js";

const info = await initBackend({ log: process.env.CMH_BENCH_QUIET ? false : undefined });
const n = 5000,
  dImg = 512,
  dTxt = 1386,
  bits = 64,
  batch = 128;
const epochs = Number(process.argv[2] ?? 2);
const rng = createRng(1);
const img = { rows: n, cols: dImg, data: rng.fillNormal(new Float32Array(n * dImg)) };
const txt = { rows: n, cols: dTxt, data: rng.fillUniform(new Float32Array(n * dTxt)) };
const fi = new Mlp([dImg, 1024, 1024, bits], rng, { activation: "relu", outputActivation: "tanh" });
const ft = new Mlp([dTxt, 1024, 1024, bits], rng, { activation: "relu", outputActivation: "tanh" });
const opt = new Sgd({ lr: 0.001, momentum: 0.9, weightDecay: 5e-4 });
const vars = [...fi.trainableVariables(), ...ft.trainableVariables()];
const cos = (a, b) =>
  tf.matMul(tf.div(a, tf.norm(a, 2, 1, true)), tf.div(b, tf.norm(b, 2, 1, true)), false, true);
const loop = new TrainingLoop({ method: "bench" });
const times = [];
const cpus = [];
await loop.phase("train", epochs, async (ctx) => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const idx of batchIndices(n, { batchSize: batch, rng, dropLast: true })) {
    const xi = rowsTensor(img, idx),
      xt = rowsTensor(txt, idx);
    await ctx.step(
      () => {
        const s = tf.tidy(() => cos(xi, xi));
        const bi = fi.apply(xi, true),
          bt = ft.apply(xt, true);
        return tf.mean(tf.square(tf.sub(cos(bi, bt), s)));
      },
      { optimizer: opt, variables: vars },
    );
    xi.dispose();
    xt.dispose();
  }
  times.push((performance.now() - t0) / 1000);
  const cu = process.cpuUsage(c0);
  cpus.push((cu.user + cu.system) / 1e6);
});
console.log(
  `tfjs ${info.name}: epoch seconds ${times.map((t) => t.toFixed(2)).join(", ")}; tensors ${tf.memory().numTensors}`,
);
const last = times.length > 1 ? 1 : 0;
const best = times.indexOf(Math.min(...times.slice(last)));
console.log(`RESULT ${times[best]} ${cpus[best]}`);
