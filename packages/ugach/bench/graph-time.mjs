// Time of the correlation graph (both modalities) on the default synthetic training set.
//   node packages/ugach/bench/graph-time.mjs   (repo root, after `pnpm build`)
import { applySplit, defaultDataset } from "@cmh/datasets";
import { initBackend } from "@cmh/tensor-core";
import { correlationGraph } from "@cmh/ugach";

await initBackend();
const { set, split } = defaultDataset();
const { train } = applySplit(set, split);
const t = performance.now();
const g = correlationGraph(train.image, train.text, 5);
console.log(
  "graph",
  train.image.rows,
  "items:",
  ((performance.now() - t) / 1000).toFixed(1),
  "s; mean positives",
  g.positives.items.length / g.n,
);
