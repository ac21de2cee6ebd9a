// Diagnostic (not used for any setting): label precision of the correlation graph's positives on
// a training set, against the base rate of random pairs. Uses labels only to describe the graph.
//   cd packages/ugach && npx tsup bench/graph-precision.mjs --format esm --out-dir .tmp --no-config &&
//     node .tmp/graph-precision.js [default|uci-mfeat]
//   (after `pnpm build`: tsup bundles the method's internals from `src/`; the `@cmh/*` packages
//   come from their built `dist/`).
import { resolve } from "node:path";
import { applySplit, defaultDataset, loadTrainTestLayout } from "@cmh/datasets";
import { initBackend } from "@cmh/tensor-core";
import { correlationGraph } from "../src/graph";

await initBackend({ log: false });
const name = process.argv[2] ?? "default";
const { set, split } =
  name === "default"
    ? defaultDataset()
    : await loadTrainTestLayout(resolve("../../../shared/data/uci-mfeat/uci_all.mat"));
const { train } = applySplit(set, split);
const L = train.labels;
const share = (i, j) => {
  for (let c = 0; c < L.cols; c++)
    if (L.data[i * L.cols + c] && L.data[j * L.cols + c]) return true;
  return false;
};
const g = correlationGraph(train.image, train.text, 5);
const n = g.n;
const prec = (from, to) => {
  let hit = 0;
  let tot = 0;
  for (let i = 0; i < n; i++)
    for (let t = from; t < to; t++) {
      const j = g.cross[i * 10 + t];
      if (j === i) continue;
      tot++;
      if (share(i, j)) hit++;
    }
  return hit / tot;
};
let base = 0;
for (let s = 0; s < 20000; s++)
  base += share(Math.floor(Math.random() * n), Math.floor(Math.random() * n)) ? 1 : 0;
console.log(
  name,
  "image-kNN precision",
  prec(0, 5).toFixed(3),
  "text-kNN",
  prec(5, 10).toFixed(3),
  "random pairs",
  (base / 20000).toFixed(3),
);
