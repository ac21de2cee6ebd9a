// Quick training diagnostics: per-epoch loss terms and mAP on a small synthetic set.
import { applySplit, synthetic } from "@cmh/datasets";
import { evaluateCrossModal } from "@cmh/metrics";
import { DSPAH } from "../src/index";

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
const t0 = performance.now();
const rep = await h.fit(train);
console.log("fit s", ((performance.now() - t0) / 1000).toFixed(1));
for (const e of rep.history)
  console.log(
    Object.entries(e)
      .map(([k, v]) => `${k}=${v.toFixed(4)}`)
      .join(" "),
  );
const r = evaluateCrossModal({
  image: { query: h.encode("image", query.image), database: h.encode("image", database.image) },
  text: { query: h.encode("text", query.text), database: h.encode("text", database.text) },
  queryLabels: query.labels!,
  databaseLabels: database.labels!,
  directions: ["i2t", "t2i"],
  ks: ["all"],
});
console.log("i2t", r.i2t!["mAP@all"].toFixed(4), "t2i", r.t2i!["mAP@all"].toFixed(4));
