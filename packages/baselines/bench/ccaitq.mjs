// mAP@all of CCA-ITQ (and plain CCA + sign) on uci-mfeat and on the default synthetic dataset.
//
//   pnpm build && node packages/baselines/bench/ccaitq.mjs [--uci <dir>] [--seeds 0,1,2]
//       [--bits 16,32,64] [--powers 1] [--only uci|synthetic]
//
// The uci-mfeat folder is found as <repo>/../shared/data/uci-mfeat, $CMH_SHARED_DATA/uci-mfeat or --uci.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { CCAITQ } from "@cmh/baselines";
import { applySplit, loadTrainTestLayout, synthetic } from "@cmh/datasets";
import { meanAveragePrecision } from "@cmh/metrics";

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const list = (s) => s.split(",").map(Number);
const seeds = list(arg("seeds", "0,1,2"));
const bitsList = list(arg("bits", "16,32,64"));
const powers = list(arg("powers", "1"));
const only = arg("only", "all");

function findUci() {
  const explicit = arg("uci");
  if (explicit) return explicit;
  if (process.env.CMH_SHARED_DATA) return join(process.env.CMH_SHARED_DATA, "uci-mfeat");
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, "pnpm-workspace.yaml")))
      return resolve(dir, "..", "shared", "data", "uci-mfeat");
    dir = dirname(dir);
  }
  return undefined;
}

const fmt = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd =
    xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};

async function run(label, parts, configs) {
  const { train, query, database } = parts;
  console.log(
    `\n## ${label}: train ${train.image.rows}, query ${query.image.rows}, database ${database.image.rows}, image ${train.image.cols}-d, text ${train.text.cols}-d`,
  );
  console.log("| variant | bits | I→T mAP@all | T→I mAP@all | fit s |");
  console.log("|---|---|---|---|---|");
  for (const { name, config, seeds: ss } of configs) {
    for (const bits of bitsList) {
      const i2t = [];
      const t2i = [];
      let secs = 0;
      for (const seed of ss) {
        const h = new CCAITQ({ ...config, bits, seed });
        const rep = await h.fit(train);
        secs += rep.seconds;
        const qi = h.encode("image", query.image);
        const qt = h.encode("text", query.text);
        const di = h.encode("image", database.image);
        const dt = h.encode("text", database.text);
        const lab = { queryLabels: query.labels, databaseLabels: database.labels };
        i2t.push(meanAveragePrecision({ query: qi, database: dt, ...lab }));
        t2i.push(meanAveragePrecision({ query: qt, database: di, ...lab }));
        h.dispose();
      }
      console.log(
        `| ${name} | ${bits} | ${fmt(i2t)} | ${fmt(t2i)} | ${(secs / ss.length).toFixed(2)} |`,
      );
    }
  }
}

const configs = [
  ...powers.map((p) => ({ name: `CCA-ITQ (r^${p})`, config: { scalePower: p }, seeds })),
  { name: "CCA + sign", config: { rotation: "none" }, seeds: [0] },
];

if (only !== "synthetic") {
  const dir = findUci();
  if (!dir || !existsSync(dir)) console.log("uci-mfeat not found: skipped (pass --uci <dir>)");
  else {
    const { set, split } = await loadTrainTestLayout(join(dir, "csv"), { name: "uci-mfeat" });
    await run(
      "uci-mfeat (query = 500 test rows, database = train = 1,500 rows)",
      applySplit(set, split),
      configs,
    );
  }
}
if (only !== "uci") {
  const ds = synthetic();
  await run("synthetic default (seed 0)", applySplit(ds.set, ds.split), configs);
}
