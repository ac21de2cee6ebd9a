// mAP@all of random codes on the default synthetic set, with @cmh/metrics (the official evaluator).
// Run from the repo root:
//   npx esbuild packages/datasets/bench/hardness.mjs --bundle --platform=node --format=esm \
//     --alias:@cmh/metrics=./packages/metrics/src/index.ts \
//     --alias:@cmh/hamming-index=./packages/hamming-index/src/index.ts \
//     --alias:@cmh/datasets=./packages/datasets/src/index.ts --outfile=bench-out/hardness.mjs \
//   && node bench-out/hardness.mjs
import { applySplit, defaultDataset, Rng } from "@cmh/datasets";
import { packCodes } from "@cmh/hamming-index";
import { meanAveragePrecision } from "@cmh/metrics";

const { set, split } = defaultDataset(0);
const { query, database } = applySplit(set, split);
const rows = [];
for (const bits of [16, 32, 64]) {
  const maps = [];
  for (let seed = 0; seed < 5; seed++) {
    const rng = new Rng(1000 + seed);
    const rand = (n) => {
      const v = new Float32Array(n * bits);
      for (let i = 0; i < v.length; i++) v[i] = rng.uniform() < 0.5 ? -1 : 1;
      return packCodes(v, n, bits);
    };
    maps.push(
      meanAveragePrecision({
        query: rand(query.image.rows),
        database: rand(database.image.rows),
        queryLabels: query.labels,
        databaseLabels: database.labels,
      }),
    );
  }
  const mean = maps.reduce((a, b) => a + b, 0) / maps.length;
  const sd = Math.sqrt(maps.reduce((a, b) => a + (b - mean) ** 2, 0) / maps.length);
  rows.push({ bits, mean: Number(mean.toFixed(4)), sd: Number(sd.toFixed(4)) });
}
console.log(
  JSON.stringify({ dataset: set.name, protocol: split.protocol, randomCodesMapAtAll: rows }),
);
