// Text-net cost on the active backend (WASM by default): one forward+backward step of the text net
// at the preset's batch size, and encoding 10,000 texts, plus a per-kernel breakdown (tf.profile).
// Data: synthetic-default (1,386-d binary BoW text). Weights come from a one-epoch fit on 256 pairs
// (the cost does not depend on the weights).
// Usage (repo root, after `pnpm build`): node packages/dspah/bench/text-profile.mjs [preset=quick] [bits=32] [reps=10]
import { applySplit, synthetic } from "@cmh/datasets";
import { DSPAH } from "@cmh/dspah";
import { initBackend, tf } from "@cmh/tensor-core";

await initBackend({ log: false });
const preset = process.argv[2] ?? "quick";
const bits = Number(process.argv[3] ?? 32);
const reps = Number(process.argv[4] ?? 10);
const { set, split } = synthetic();
const { train, database } = applySplit(set, split);
const sub = (m, rows) => ({ rows, cols: m.cols, data: m.data.subarray(0, rows * m.cols) });
const m = new DSPAH({ ...DSPAH.presets[preset], bits, epochs: 1, epochScaleItems: 0 });
await m.fit({
  image: sub(train.image, 256),
  text: sub(train.text, 256),
  labels: sub(train.labels, 256),
});
const net = m.networks().text;
const vars = net.variables().filter((v) => v.trainable);
const b = m.config.batchSize;
const dt = train.text.cols;
const nnz = train.text.data.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0) / train.text.rows;
console.log(
  `backend ${tf.getBackend()}, preset ${preset}, bits ${bits}, batch ${b}, d_t ${dt}, mean nonzeros/text ${nnz.toFixed(1)}`,
);
const xb = tf.tensor2d(train.text.data.subarray(0, b * dt), [b, dt]);
const step = () =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(net.forward(xb, true).out)),
      vars,
    );
    for (const g of Object.values(grads)) g.dataSync();
    return value.dataSync()[0];
  });
for (let i = 0; i < 3; i++) step(); // warm-up
let t0 = performance.now();
for (let i = 0; i < reps; i++) step();
const stepMs = (performance.now() - t0) / reps;
console.log(`text step (forward+backward, batch ${b}): ${stepMs.toFixed(1)} ms`);
// 10,000 texts: the 9,000 database rows and the first 1,000 training rows.
const cat = (a, b, rows) => {
  const data = new Float32Array(rows * a.cols);
  const na = Math.min(rows, a.rows);
  data.set(a.data.subarray(0, na * a.cols));
  data.set(b.data.subarray(0, (rows - na) * a.cols), na * a.cols);
  return { rows, cols: a.cols, data };
};
const n = 10_000;
const texts = cat(database.text, train.text, n);
m.encode("text", texts); // warm-up
t0 = performance.now();
m.encode("text", texts);
const encS = (performance.now() - t0) / 1000;
const imgs = cat(database.image, train.image, n);
m.encode("image", imgs);
const t1 = performance.now();
m.encode("image", imgs);
const encI = (performance.now() - t1) / 1000;
console.log(
  `encode ${n} texts: ${encS.toFixed(2)} s = ${Math.round(n / encS)} items/s (image ${Math.round(n / encI)} items/s)`,
);
if (process.env.PROFILE !== "0") {
  for (const [name, fn] of [
    ["step", () => step()],
    [
      "encode 2048",
      () =>
        tf.tidy(() =>
          net
            .forward(tf.tensor2d(texts.data.subarray(0, 2048 * dt), [2048, dt]), false)
            .out.dataSync(),
        ),
    ],
  ]) {
    const info = await tf.profile(fn);
    const by = new Map();
    for (const k of info.kernels) {
      const ms = await k.kernelTimeMs;
      const e = by.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += typeof ms === "number" ? ms : 0;
      e.calls++;
      by.set(k.name, e);
    }
    const total = [...by.values()].reduce((a, e) => a + e.ms, 0);
    console.log(
      `-- ${name}: ${info.kernels.length} kernels, ${total.toFixed(1)} ms kernel time; top:`,
    );
    for (const [k, e] of [...by].sort((a, c) => c[1].ms - a[1].ms).slice(0, 12))
      console.log(
        `   ${k.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms  ${String(e.calls).padStart(4)} calls`,
      );
  }
}
xb.dispose();
m.dispose();
