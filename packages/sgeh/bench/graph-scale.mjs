// SGEH graph stage at scale: GMC unified graph on m synthetic pairs (Gaussian clusters, paper widths
// 4,096-d image / 512-d text by default). Reports kNN and solver seconds, GMC iterations, edges,
// components and peak memory (maxRSS). The graph stage runs inside an SGEH fit whose training part is
// one step of one 8-edge batch with tiny networks (its `graphReport` gives the stage's figures).
// Runs against the built dist/.
//
// Usage (repo root, after `pnpm build`):
//   node packages/sgeh/bench/graph-scale.mjs [--m 20000] [--dims 4096,512] [--p 20] [--c 5] [--iters 20] [--product auto|js|tf]
import { resourceUsage } from "node:process";
import { SGEH } from "@cmh/sgeh";
import { backendName, createRng, initBackend } from "@cmh/tensor-core";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const m = Number(opt("m", "20000"));
const [dI, dT] = opt("dims", "4096,512").split(",").map(Number);
const p = Number(opt("p", "20"));
const c = Number(opt("c", "5"));
const iters = Number(opt("iters", "20"));
const productName = opt("product", "auto");
await initBackend();
const rng = createRng(1);
const clusters = 24;
function view(d) {
  const centres = Array.from({ length: clusters }, () =>
    Float32Array.from({ length: d }, () => rng.normal()),
  );
  const data = new Float32Array(m * d);
  for (let i = 0; i < m; i++) {
    const ctr = centres[i % clusters];
    for (let j = 0; j < d; j++) data[i * d + j] = ctr[j] + 2 * rng.normal();
  }
  return { rows: m, cols: d, data };
}
const views = [view(dI), view(dT)];
const rssBefore = Math.round(resourceUsage().maxRSS / 1024);
const t0 = performance.now();
const model = new SGEH({
  neighbours: p,
  clusters: c,
  graphIterations: iters,
  knnProduct: productName,
  cacheGraph: false,
  epochs: 1,
  edgesPerEpoch: 8,
  hidden: 8,
  discHidden: 8,
  eta4: 0,
  bits: 8,
});
await model.fit({ name: "graph-scale", image: views[0], text: views[1] });
const seconds = (performance.now() - t0) / 1000;
const g = model.graphReport;
model.dispose();
console.log(
  JSON.stringify({
    m,
    dims: [dI, dT],
    p,
    c,
    backend: backendName(),
    product: productName,
    cores: 2,
    knnSeconds: +g.knnSeconds.toFixed(1),
    solveSeconds: +g.solveSeconds.toFixed(1),
    fitSeconds: +seconds.toFixed(1),
    iterations: g.iterations,
    converged: g.converged,
    components: g.components,
    lambda: g.lambda,
    edges: g.edges,
    maxRssMBBeforeGraph: rssBefore,
    maxRssMB: Math.round(resourceUsage().maxRSS / 1024),
    featureMB: Math.round((m * (dI + dT) * 4) / 2 ** 20),
  }),
);
