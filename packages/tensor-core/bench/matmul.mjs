// GFLOP/s of single rank-2 matMul calls on the selected backend (CPU seconds include worker
// threads). Usage (after `pnpm build`): [CMH_THREADS=n] node bench/matmul.mjs [reps=5]
import { initBackend, matMulThreads, tf } from "../dist/index.js";

await initBackend({ log: process.env.CMH_BENCH_QUIET ? false : undefined });
const reps = Number(process.argv[2] ?? 5);
const shapes = [
  [2048, 4096, 512],
  [4096, 2048, 512],
  [512, 4096, 512],
  [128, 1024, 1024],
];
for (const [m, k, n] of shapes) {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  tf.matMul(a, b).dispose();
  const walls = [];
  const cpus = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const c = tf.matMul(a, b);
    c.dataSync();
    walls.push((performance.now() - t0) / 1000);
    const cu = process.cpuUsage(c0);
    cpus.push((cu.user + cu.system) / 1e6);
    c.dispose();
  }
  const flop = 2 * m * k * n;
  const best = Math.min(...walls);
  const bestCpu = Math.min(...cpus);
  console.log(
    `matMul ${m}x${k} * ${k}x${n} (${tf.getBackend()}, ${matMulThreads()} threads): best ${(best * 1000).toFixed(1)} ms wall = ${(flop / best / 1e9).toFixed(1)} GFLOP/s; ${(bestCpu * 1000).toFixed(1)} ms cpu = ${(flop / bestCpu / 1e9).toFixed(1)} GFLOP/cpu-s`,
  );
  tf.dispose([a, b]);
}
