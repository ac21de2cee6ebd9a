// Time of the correlation graph (both modalities) on the default synthetic training set, with the
// default block product and, for comparison, with the pure-JS kernel for dense blocks.
//   cd packages/ugach && npx tsup bench/graph-time.mjs --format esm --out-dir .tmp --no-config &&
//     node .tmp/graph-time.js
//   (after `pnpm build`: tsup bundles the method's internals from `src/`; the `@cmh/*` packages
//   come from their built `dist/`).
import { applySplit, defaultDataset } from "@cmh/datasets";
import { initBackend, jsBlockProduct } from "@cmh/tensor-core";
import { correlationGraph, sparseBlockProduct } from "../src/graph";

await initBackend();
const { set, split } = defaultDataset();
const { train } = applySplit(set, split);
const denseJs = (a, b) => {
  let nz = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== 0) nz++;
  return nz / a.data.length < 0.05 ? sparseBlockProduct(a, b) : jsBlockProduct(a, b);
};
const runs = [
  ["default (tf for dense blocks)", undefined],
  ["JS kernel for dense blocks", denseJs],
];
const graphs = [];
for (const [name, product] of runs) {
  const t = performance.now();
  const g = correlationGraph(train.image, train.text, 5, product ? { product } : {});
  graphs.push(g);
  console.log(
    `graph of ${train.image.rows} items, ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s; mean positives ${g.positives.items.length / g.n}`,
  );
}
const same = graphs[0].cross.every((v, i) => v === graphs[1].cross[i]);
console.log(`same neighbour lists: ${same}`);
