// DSPAH training diagnostics on a small synthetic set (seed 3, not an evaluation set): per-epoch
// loss terms (image/text inter, intra, quantisation) and mAP@all after the fit, for checking that
// an option (loss normalisation, optimiser, lr, fusion, ...) trains at all. Runs against dist/.
//
// Usage (repo root, after `pnpm build`):
//   node packages/dspah/bench/debug.mjs '{"lossNormalization":"sum","optimizer":"sgd"}'
import { applySplit, synthetic } from "@cmh/datasets";
import { DSPAH } from "@cmh/dspah";
import { evaluateCrossModal } from "@cmh/metrics";
import { initBackend } from "@cmh/tensor-core";

await initBackend({ log: false });
const cfg = JSON.parse(process.argv[2] ?? "{}");
const d = synthetic({
  seed: 3,
  nQuery: 60,
  nDatabase: 400,
  nTrain: 400,
  imageDim: 32,
  textDim: 60,
  latentDim: 8,
  hiddenDim: 32,
  labelProbabilities: [0.3, 0.25, 0.2, 0.15, 0.1, 0.1],
  topicWords: 6,
  wordsPerItem: 5,
});
const { train, query, database } = applySplit(d.set, d.split);
const h = new DSPAH({
  bits: 16,
  epochs: 8,
  batchSize: 64,
  imageHidden: [64, 32, 32, 32],
  textChannels: [4, 4, 8, 8],
  textHeadHidden: 8,
  ...cfg,
});
const c0 = process.cpuUsage();
const rep = await h.fit(train);
const cu = process.cpuUsage(c0);
console.log("fit cpu s", ((cu.user + cu.system) / 1e6).toFixed(1));
for (const e of rep.history)
  console.log(
    Object.entries(e)
      .map(([k, v]) => `${k}=${v.toFixed(4)}`)
      .join(" "),
  );
const r = evaluateCrossModal({
  image: { query: h.encode("image", query.image), database: h.encode("image", database.image) },
  text: { query: h.encode("text", query.text), database: h.encode("text", database.text) },
  queryLabels: query.labels,
  databaseLabels: database.labels,
  directions: ["i2t", "t2i"],
  k: "all",
});
console.log("i2t", r.i2t["mAP@all"].toFixed(4), "t2i", r.t2i["mAP@all"].toFixed(4));
