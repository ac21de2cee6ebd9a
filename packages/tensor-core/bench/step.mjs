import { initBackend, tf, uninstallWasmMatMulFix } from "../dist/index.js";

await initBackend();
const fix = process.argv[2] !== "nofix";
if (!fix) uninstallWasmMatMulFix();
const x = tf.randomNormal([2048, 4096]);
const w1 = tf.variable(tf.randomNormal([4096, 512], 0, 0.01));
const b1 = tf.variable(tf.zeros([512]));
const w2 = tf.variable(tf.randomNormal([512, 64], 0, 0.01));
const b2 = tf.variable(tf.zeros([64]));
const opt = tf.train.sgd(0.01);
function step() {
  const cost = opt.minimize(
    () =>
      tf.tidy(() => {
        const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
        const y = tf.add(tf.matMul(h, w2), b2);
        return tf.mean(tf.square(y));
      }),
    true,
  );
  cost.dataSync();
  cost.dispose();
}
step();
const t0 = performance.now();
for (let i = 0; i < 3; i++) step();
console.log(
  fix ? "fix" : "nofix",
  ((performance.now() - t0) / 3).toFixed(0),
  "ms/step",
  tf.memory().numTensors,
);
