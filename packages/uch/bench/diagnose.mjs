// UCH diagnosis on a subset of the default synthetic dataset: per-epoch losses and collapse
// monitors (training data only), then mAP@all I→T / T→I on 500 queries vs 2,000 database items.
// Usage: node packages/uch/bench/diagnose.mjs [--n 2000] [--config '{...}'] [--preset quick]
import { defaultDataset, subset } from "@cmh/datasets";
import { evaluateCrossModal } from "@cmh/metrics";
import { initBackend } from "@cmh/tensor-core";
import { UCH } from "@cmh/uch";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const n = Number(opt("n", "2000"));
const extra = JSON.parse(opt("config", "{}"));
await initBackend({ log: false });
const { set, split } = defaultDataset();
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
        "fRec",
        "fSim",
        "fAdv",
        "Lz",
        "zRec",
        "zSim",
        "alignZ",
        "alignH",
        "distinctCodes",
        "maxBitMean",
        "varH",
      ]
        .map((k) => `${k}=${e.losses[k]?.toPrecision(3)}`)
        .join(" "),
    ),
});
const m = evaluateCrossModal({
  image: { query: model.encode("image", query.image), database: model.encode("image", db.image) },
  text: { query: model.encode("text", query.text), database: model.encode("text", db.text) },
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
