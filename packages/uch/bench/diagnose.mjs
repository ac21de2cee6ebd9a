// UCH diagnosis on a subset of the synthetic-val dataset (generator seed 1): per-epoch losses and collapse
// monitors (training data only), then mAP@all I→T / T→I on 500 queries vs 2,000 database items.
// Usage: node packages/uch/bench/diagnose.mjs [--data-seed 1 (synthetic-val)] [--n 2000] [--config '{...}'] [--preset quick]
import { defaultDataset, subset } from "@cmh/datasets";
import { unpackCodes } from "@cmh/hamming-index";
import { evaluateCrossModal } from "@cmh/metrics";
import { initBackend } from "@cmh/tensor-core";
import { UCH } from "@cmh/uch";

const args = process.argv.slice(2);

/** Collapse evidence for a code set: share of distinct codes and the largest |per-bit mean| (±1 bits). */
function codeStats(codes) {
  const b = unpackCodes(codes);
  const seen = new Set();
  const mean = new Float64Array(codes.bits);
  for (let i = 0; i < codes.n; i++) {
    const row = b.subarray(i * codes.bits, (i + 1) * codes.bits);
    seen.add(row.join(""));
    for (let k = 0; k < codes.bits; k++) mean[k] += row[k] / codes.n;
  }
  return {
    distinct: +(seen.size / codes.n).toFixed(4),
    maxBitMean: +Math.max(...mean.map(Math.abs)).toFixed(3),
  };
}
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const n = Number(opt("n", "2000"));
const extra = JSON.parse(opt("config", "{}"));
await initBackend({ log: false });
// Tuning set: synthetic-val (generator seed 1); never the default set's test labels.
const { set, split } = defaultDataset(Number(opt("data-seed", "1")));
const train = subset(set, split.train.slice(0, n), "train");
const query = subset(set, split.query.slice(0, 500), "query");
const db = subset(set, split.database.slice(0, 2000), "db");
const model = new UCH({ ...UCH.presets[opt("preset", "quick")], bits: 16, ...extra });
const report = await model.fit(train, {
  onProgress: (e) =>
    console.log(
      `${e.phase} ${e.epoch}/${e.epochs} ${e.elapsedSeconds.toFixed(0)}s`,
      [
        "Lf",
        "Lf.fRec",
        "Lf.fSim",
        "Lf.fAdv",
        "Lz",
        "Lz.zRec",
        "Lz.zSim",
        "Lf.fVar",
        "Lf.fCov",
        "Lz.zVar",
        "Lz.zCov",
        "alignZ",
        "alignH",
        "distinctCodes",
        "maxBitMean",
        "varZ",
        "varH",
      ]
        .map((k) => `${k.replace(/^L[fz]\./, "")}=${e.losses[k]?.toPrecision(3)}`)
        .join(" "),
    ),
});
const codes = {
  image: { query: model.encode("image", query.image), database: model.encode("image", db.image) },
  text: { query: model.encode("text", query.text), database: model.encode("text", db.text) },
};
console.log(
  "db codes: image",
  JSON.stringify(codeStats(codes.image.database)),
  "text",
  JSON.stringify(codeStats(codes.text.database)),
);
const m = evaluateCrossModal({
  ...codes,
  queryLabels: query.labels,
  databaseLabels: db.labels,
  k: ["all"],
  prCurve: false,
});
console.log(
  JSON.stringify(extra),
  `fit ${report.seconds.toFixed(0)}s`,
  `I→T ${m.i2t["mAP@all"].toFixed(4)} T→I ${m.t2i["mAP@all"].toFixed(4)}`,
);
