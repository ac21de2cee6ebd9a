// SGEH bench: mAP@all (and mAP@1000) I→T and T→I at 16/32/64 bits on
// the default synthetic dataset (protocol synthetic-default: 5,000 train, 1,000 query, 9,000
// database) and on uci-mfeat (query = 500 test rows, database = training = 1,500 rows), next to
// CCA-ITQ from @cmh/baselines when that package exports it. Runs against the built dist/.
//
// Usage (repo root, after `pnpm build`):
//   node packages/sgeh/bench/run.mjs [--data default,uci] [--bits 16,32,64] [--preset quick | quick+sgeh-1 ...]
//        [--uci <dir of uci-mfeat>] [--config '{"epochs":5}'] [--no-baseline] [--out file.json]
// The uci-mfeat folder defaults to $CMH_SHARED_DATA/uci-mfeat or ../shared/data/uci-mfeat.
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { resourceUsage } from "node:process";
import { applySplit, defaultDataset, loadTrainTestLayout } from "@cmh/datasets";
import { evaluateCrossModal } from "@cmh/metrics";
import { SGEH } from "@cmh/sgeh";
import { backendName, initBackend } from "@cmh/tensor-core";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const datasets = opt("data", "default,uci").split(",");
const bitsList = opt("bits", "16,32,64").split(",").map(Number);
const preset = opt("preset", "quick");
const extra = JSON.parse(opt("config", "{}"));
const withBaseline = !args.includes("--no-baseline");
const outFile = opt("out", undefined);

await initBackend();
let Baseline;
if (withBaseline) {
  try {
    const b = await import("@cmh/baselines");
    Baseline = b.CCAITQ ?? b.CcaItq ?? b.CCA_ITQ;
    if (!Baseline)
      console.error("[bench] @cmh/baselines exports no CCA-ITQ class yet: baseline skipped");
  } catch (e) {
    console.error(`[bench] @cmh/baselines not loadable (${e.message}): baseline skipped`);
  }
}

async function loadData(name) {
  if (name === "default") {
    const { set, split } = defaultDataset();
    return { label: "synthetic-default (seed 0)", ...applySplit(set, split) };
  }
  if (name === "uci") {
    const root = process.env.CMH_SHARED_DATA ?? resolve("..", "shared", "data");
    const dir = opt("uci", resolve(root, "uci-mfeat"));
    const file = existsSync(resolve(dir, "uci_all.mat")) ? resolve(dir, "uci_all.mat") : dir;
    const { set, split } = await loadTrainTestLayout(file);
    return { label: "uci-mfeat (500 query / 1,500 db = train)", ...applySplit(set, split) };
  }
  throw new Error(`unknown dataset ${name} (default, uci)`);
}

function evaluate(model, data) {
  const t0 = performance.now();
  const codes = {
    image: {
      query: model.encode("image", data.query.image),
      database: model.encode("image", data.database.image),
    },
    text: {
      query: model.encode("text", data.query.text),
      database: model.encode("text", data.database.text),
    },
  };
  const encodeSeconds = (performance.now() - t0) / 1000;
  const items = 2 * (data.query.image.rows + data.database.image.rows);
  const m = evaluateCrossModal({
    ...codes,
    queryLabels: data.query.labels,
    databaseLabels: data.database.labels,
    k: ["all", 1000],
    prCurve: false,
  });
  const row = { encodePerSecond: Math.round(items / encodeSeconds) };
  for (const d of ["i2t", "t2i", "i2i", "t2t"]) {
    row[d] = { all: m[d]["mAP@all"], at1000: m[d]["mAP@1000"] };
  }
  return row;
}

const results = [];
for (const name of datasets) {
  const data = await loadData(name);
  for (const bits of bitsList) {
    const runs = [
      [
        "SGEH",
        () =>
          new SGEH({
            ...Object.assign({}, ...preset.split("+").map((p) => SGEH.presets[p])),
            ...extra,
            bits,
          }),
      ],
    ];
    if (Baseline) runs.push(["CCA-ITQ", () => new Baseline({ bits })]);
    for (const [method, make] of runs) {
      const model = make();
      const report = await model.fit(data.train);
      const row = {
        dataset: name,
        method,
        bits,
        fitSeconds: +report.seconds.toFixed(2),
        epochs: report.epochs,
        ...evaluate(model, data),
        maxRssMB: Math.round(resourceUsage().maxRSS / 1024),
        backend: backendName(),
        graph: model.graphReport,
        lastEpoch: report.history.at(-1),
        firstEpoch: report.history[0],
      };
      model.dispose();
      results.push(row);
      const f = (v) => v.toFixed(4);
      console.log(
        `${name} ${method} ${bits}b fit ${row.fitSeconds}s | mAP@all I→T ${f(row.i2t.all)} T→I ${f(row.t2i.all)} I→I ${f(row.i2i.all)} T→T ${f(row.t2t.all)} | mAP@1000 I→T ${f(row.i2t.at1000)} T→I ${f(row.t2i.at1000)} I→I ${f(row.i2i.at1000)} T→T ${f(row.t2t.at1000)} | encode ${row.encodePerSecond}/s rss ${row.maxRssMB}MB`,
      );
      if (method === "SGEH" && row.graph) console.log("  graph", JSON.stringify(row.graph));
      if (method === "SGEH")
        console.log(
          "  first epoch",
          JSON.stringify(row.firstEpoch),
          "\n  last epoch ",
          JSON.stringify(row.lastEpoch),
        );
    }
  }
}
const meta = {
  preset,
  extra,
  backend: backendName(),
  node: process.version,
  cores: 2,
  date: new Date().toISOString(),
};
if (outFile) writeFileSync(outFile, `${JSON.stringify({ meta, results }, null, 2)}\n`);
