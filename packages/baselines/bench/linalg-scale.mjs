// Timing and memory of the tensor-core linalg tools at SGEH's paper scale (m = 20,000 items):
// dense symmetric eigen at 512 and 1386, the blockwise kNN graph, and the smallest eigenpairs of
// its Laplacian. Synthetic clustered data (deterministic).
//
//   node packages/baselines/bench/linalg-scale.mjs eig 512 1386
//   node packages/baselines/bench/linalg-scale.mjs knn <n> <d> [k=20] [eigs=11] [product=js|tfjs-wasm]
//
// Needs a build of @cmh/tensor-core (`pnpm build`). Set LINALG=<path to an ESM bundle> to use another build.
import { createRequire } from "node:module";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { mulberry32 } from "@cmh/hamming-index";

const lib = await import(process.env.LINALG ?? "@cmh/tensor-core");
const { symmetricEigen, knnGraph, csrFromKnn, symmetrizeCsr, laplacian, smallestEigenpairs } = lib;

const rng = mulberry32;
function gauss(u) {
  return () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
}
const mb = (b) => `${(b / 2 ** 20).toFixed(0)} MB`;
let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sample, 200);
timer.unref();

/** Clustered features: 50 clusters in a 64-d latent space, mapped by a random 64×d matrix + ReLU + noise. */
function clustered(n, d, seed = 1) {
  const g = gauss(rng(seed));
  const L = 64;
  const C = 50;
  const centres = Float64Array.from({ length: C * L }, () => g() * 0.35);
  const W = Float64Array.from({ length: L * d }, () => g() / Math.sqrt(L));
  const x = new Float32Array(n * d);
  const z = new Float64Array(L);
  for (let i = 0; i < n; i++) {
    const c = i % C;
    for (let t = 0; t < L; t++) z[t] = centres[c * L + t] + g();
    const row = i * d;
    for (let j = 0; j < d; j++) x[row + j] = 0;
    for (let t = 0; t < L; t++) {
      const zt = z[t];
      const wt = t * d;
      for (let j = 0; j < d; j++) x[row + j] += zt * W[wt + j];
    }
    for (let j = 0; j < d; j++) x[row + j] = Math.max(0, x[row + j]) + 0.1 * g();
  }
  return { rows: n, cols: d, data: x };
}

async function tfjsWasmProduct() {
  // tfjs is a dependency of @cmh/tensor-core, resolved from there.
  const req = createRequire(new URL("../../tensor-core/package.json", import.meta.url));
  const tf = await import(pathToFileURL(req.resolve("@tensorflow/tfjs-core")).href);
  await import(pathToFileURL(req.resolve("@tensorflow/tfjs-backend-wasm")).href);
  await tf.setBackend("wasm");
  await tf.ready();
  return (a, b) => {
    const ta = tf.tensor2d(a.data, [a.rows, a.cols]);
    const tb = tf.tensor2d(b.data, [b.rows, b.cols]);
    const tbt = tf.transpose(tb); // explicit transpose: transposeB is slow on WASM
    const c = tf.matMul(ta, tbt);
    const out = c.dataSync();
    tf.dispose([ta, tb, tbt, c]);
    return out;
  };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "eig") {
  for (const n of args.map(Number)) {
    const g = gauss(rng(n));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        const v = g();
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    const t0 = performance.now();
    symmetricEigen({ rows: n, cols: n, data: a });
    console.log(`symmetricEigen n=${n}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  }
} else if (mode === "knn") {
  const n = Number(args[0] ?? 20000);
  const d = Number(args[1] ?? 1386);
  const k = Number(args[2] ?? 20);
  const eigs = Number(args[3] ?? 11);
  const which = args[4] ?? "js";
  const x = clustered(n, d);
  sample();
  console.log(
    `data ${n}x${d} float32 (${mb(x.data.byteLength)}), rss ${mb(process.memoryUsage().rss)}`,
  );
  const product = which === "tfjs-wasm" ? await tfjsWasmProduct() : undefined;
  const t0 = performance.now();
  let last = 0;
  const g = knnGraph(x, {
    k,
    metric: "cosine",
    blockSize: 1024,
    product,
    onProgress: (done, total) => {
      const now = performance.now();
      if (now - last > 30000) {
        last = now;
        console.log(`  knn ${done}/${total} blocks, ${((now - t0) / 1000).toFixed(0)} s`);
      }
    },
  });
  const tKnn = (performance.now() - t0) / 1000;
  const flops = n * n * d; // multiply-adds of the symmetric half, ×2 flops
  console.log(
    `knnGraph n=${n} d=${d} k=${k} product=${which}: ${tKnn.toFixed(1)} s (${((flops / tKnn) * 1e-9).toFixed(2)} GFLOP/s effective), peak rss ${mb(peakRss)}`,
  );
  const t1 = performance.now();
  // A GMC-like graph: each row's weights sum to 1 (row-stochastic), then Z̃ = (Z + Zᵀ)/2.
  const rowSum = new Float64Array(n);
  for (let i = 0; i < n * k; i++) rowSum[Math.floor(i / k)] += Math.max(0, g.values[i]);
  const w = symmetrizeCsr(
    csrFromKnn(g, (s, i) => Math.max(0, s) / rowSum[i]),
    "mean",
  );
  const L = laplacian(w);
  const tL = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  const r = smallestEigenpairs(L, eigs, { tol: 1e-8 });
  const tE = (performance.now() - t2) / 1000;
  sample();
  console.log(
    `laplacian nnz=${L.indptr[n]} (${tL.toFixed(2)} s); smallestEigenpairs k=${eigs}: ${tE.toFixed(1)} s, ${r.restarts} restarts, ${r.matvecs} matvecs, converged=${r.converged}, max residual ${Math.max(...r.residuals).toExponential(1)}`,
  );
  console.log(`eigenvalues ${Array.from(r.values, (v) => v.toExponential(3)).join(" ")}`);
  // A GMC D-step sees a slightly changed graph each iteration: perturb the weights by ±10 % and
  // re-solve warm-started from the previous eigenvectors.
  const u = rng(99);
  const w2 = symmetrizeCsr(
    csrFromKnn(g, (s, i) => (Math.max(0, s) / rowSum[i]) * (0.9 + 0.2 * u())),
    "mean",
  );
  const t3 = performance.now();
  const r2 = smallestEigenpairs(laplacian(w2), eigs, { tol: 1e-8, start: r.vectors });
  console.log(
    `warm-started re-solve on a perturbed graph: ${((performance.now() - t3) / 1000).toFixed(1)} s, ${r2.restarts} restarts, ${r2.matvecs} matvecs, converged=${r2.converged}`,
  );
  console.log(`peak rss ${mb(peakRss)}`);
} else {
  console.error("usage: linalg-scale.mjs eig <n...> | knn <n> <d> [k] [eigs] [js|tfjs-wasm]");
  process.exit(2);
}
