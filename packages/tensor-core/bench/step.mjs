// One SGD step of a dense 2048x4096 -> 512 -> 64 network (the measurement), with tfjs-core
// ops and optimiser only, so `nofix` shows the built-in matMul kernels' cost.
// Usage (after `pnpm build`): node bench/step.mjs [nofix]
import { initBackend, tf, uninstallWasmFixes } from "../dist/index.js";

await initBackend({ log: process.env.CMH_BENCH_QUIET ? false : undefined });
const fix = process.argv[2] !== "nofix";
if (!fix) uninstallWasmFixes();
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
const c0 = process.cpuUsage();
const reps = fix ? 3 : 1;
for (let i = 0; i < reps; i++) step();
const sec = (performance.now() - t0) / reps / 1000;
const cu = process.cpuUsage(c0);
const cpu = (cu.user + cu.system) / 1e6 / reps;
console.log(
  `tfjs ${tf.getBackend()} ${fix ? "with" : "without"} the matMul fix: ${(sec * 1000).toFixed(0)} ms/step`,
);
console.log(`RESULT ${sec} ${cpu}`);
