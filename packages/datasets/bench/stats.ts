// Generate the default dataset and print its statistics.
// Run: npx esbuild packages/datasets/bench/stats.ts --bundle --platform=node --format=esm --packages=external --outfile=bench-out/stats.mjs && node bench-out/stats.mjs [seed]
import { datasetStats, defaultDataset } from "../src/index";

const seed = Number(process.argv[2] ?? 0);
const t0 = performance.now();
const ds = defaultDataset(seed);
const ms = performance.now() - t0;
const stats = datasetStats(ds.set, { knnQueries: Number(process.env.KNN_QUERIES ?? 500) });
console.log(
  JSON.stringify(
    { seed, generationMs: Math.round(ms), nnzText: ds.textSparse.indices.length, ...stats },
    null,
    2,
  ),
);
