// End to end: fit a cross-modal hasher on the default (generated) dataset, encode the image
// database, index it, and search it with a text query. Run after `pnpm build`:
//   node examples/search-by-text.mjs [--bits 32] [--k 10] [--query 0]
import { parseArgs } from "node:util";
import { CCAITQ } from "@cmh/baselines";
import { applySplit, defaultDataset, selectRows } from "@cmh/datasets";
import { indexFactory } from "@cmh/hamming-index";

// Label names of the default set (MIRFlickr-25K's 24 concepts, in the DCMH LAll order).
const LABELS = [
  "animals",
  "baby",
  "bird",
  "car",
  "clouds",
  "dog",
  "female",
  "flower",
  "food",
  "indoor",
  "lake",
  "male",
  "night",
  "people",
  "plant_life",
  "portrait",
  "river",
  "sea",
  "sky",
  "structures",
  "sunset",
  "transport",
  "tree",
  "water",
];

const { values } = parseArgs({
  options: {
    bits: { type: "string", default: "32" },
    k: { type: "string", default: "10" },
    query: { type: "string", default: "0" },
  },
});
const bits = Number(values.bits);
const k = Number(values.k);
const q = Number(values.query);

// 1. Data: 10,000 generated image/text pairs with a named split (1,000 queries, 9,000 database,
//    5,000 of them for training). Labels are only used here to show what the hits are about.
const { set, split } = defaultDataset(0);
const { train, query, database } = applySplit(set, split);
const labelsOf = (labels, row) => LABELS.filter((_, c) => labels.data[row * labels.cols + c] === 1);

// 2. Fit CCA-ITQ on the training pairs (unsupervised: it reads image and text, never labels).
const t0 = performance.now();
const model = new CCAITQ({ bits });
const { labels: _unused, ...unlabelled } = train;
const report = await model.fit(unlabelled);
console.log(
  `fitted ${model.meta.name} (${bits} bits) on ${report.trainSize} pairs in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

// 3. Encode the image database and put it in an exact Hamming index (multi-index hashing).
const dbCodes = model.encode("image", database.image);
const index = indexFactory(bits, "MIH");
index.add(dbCodes);
console.log(`indexed ${index.size} image codes (${bits} bits each)`);

// 4. Search with one text query: hash the text, ask for the k nearest images.
const queryCodes = model.encode("text", selectRows(query.text, [q]));
const { indices, distances } = index.search(queryCodes, k);
const wanted = new Set(labelsOf(query.labels, q));
console.log(`\ntext query #${q}, labels: ${[...wanted].join(", ")}`);
console.log("rank  image  distance  relevant  labels");
let relevant = 0;
for (let r = 0; r < k; r++) {
  const hit = indices[r];
  const hitLabels = labelsOf(database.labels, hit);
  const rel = hitLabels.some((l) => wanted.has(l));
  if (rel) relevant++;
  console.log(
    `${String(r + 1).padStart(4)}  ${String(hit).padStart(5)}  ${String(distances[r]).padStart(8)}  ${(rel ? "yes" : "no").padStart(8)}  ${hitLabels.join(", ")}`,
  );
  // The index returns hits by ascending distance, ties by database position.
  if (
    r > 0 &&
    (distances[r] < distances[r - 1] || (distances[r] === distances[r - 1] && hit < indices[r - 1]))
  ) {
    throw new Error(`hits out of order at rank ${r + 1}`);
  }
}
console.log(`\n${relevant} of the top ${k} images share a label with the text query`);
model.dispose();
