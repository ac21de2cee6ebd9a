// mAP@all (I→T, T→I) of UGACH at 16/32/64 bits next to CCA-ITQ, on the default synthetic dataset
// and on uci-mfeat; fit seconds, encode throughput, peak RSS.
//
//   npx esbuild packages/ugach/bench/run.ts --bundle --platform=node --format=esm \
//     --packages=external --outfile=packages/ugach/.tmp/run.mjs
//   node packages/ugach/.tmp/run.mjs [--preset quick] [--bits 16,32,64] [--data default,uci-mfeat]
//        [--methods UGACH,CCA-ITQ] [--config '{"epochs":5}'] [--out results.json]
//
// Needs `pnpm build` (the bundle imports the @cmh packages' dist). uci-mfeat is looked up like the
// tests do (`<repo>/../shared/data/uci-mfeat` or $CMH_SHARED_DATA).
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { CCAITQ } from "@cmh/baselines";
import { applySplit, type CrossModalSet, defaultDataset, loadTrainTestLayout } from "@cmh/datasets";
import { evaluateCrossModal } from "@cmh/metrics";
import type { Hasher } from "@cmh/tensor-core";
import { sharedDataPath } from "../../../tooling/testing/src/shared-data";
import { UGACH } from "../src/index";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ""), process.argv[i + 1]);
const preset = args.get("preset") ?? "quick";
const bitsList = (args.get("bits") ?? "16,32,64").split(",").map(Number);
const datasets = (args.get("data") ?? "default,uci-mfeat").split(",");
const methods = (args.get("methods") ?? "UGACH,CCA-ITQ").split(",");
const extra = JSON.parse(args.get("config") ?? "{}");

let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
setInterval(sample, 250).unref();

async function load(name: string) {
  if (name === "default") {
    const { set, split } = defaultDataset();
    return applySplit(set, split);
  }
  const dir = sharedDataPath(name);
  if (!dir) throw new Error(`${name}: shared data folder not found`);
  const { set, split } = await loadTrainTestLayout(join(dir, "uci_all.mat"));
  return applySplit(set, split);
}

const rows: Record<string, unknown>[] = [];
for (const dname of datasets) {
  const { train, query, database } = await load(dname);
  for (const bits of bitsList) {
    for (const method of methods) {
      const model: Hasher<object> =
        method === "UGACH"
          ? new UGACH({ ...UGACH.presets[preset], bits, ...extra })
          : new CCAITQ({ bits } as never);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const rep = await model.fit(train as CrossModalSet);
      const fitS = (performance.now() - t0) / 1000;
      const cu = process.cpuUsage(c0);
      const fitCpuS = (cu.user + cu.system) / 1e6;
      const t1 = performance.now();
      const qi = model.encode("image", query.image);
      const qt = model.encode("text", query.text);
      const di = model.encode("image", database.image);
      const dt = model.encode("text", database.text);
      const encS = (performance.now() - t1) / 1000;
      const items = query.image.rows * 2 + database.image.rows * 2;
      const r = evaluateCrossModal({
        image: { query: qi, database: di },
        text: { query: qt, database: dt },
        queryLabels: query.labels!,
        databaseLabels: database.labels!,
        directions: ["i2t", "t2i"],
        k: "all",
      });
      sample();
      const row = {
        data: dname,
        method: method === "UGACH" ? `UGACH (${preset})` : method,
        bits,
        i2t: r.i2t!["mAP@all"],
        t2i: r.t2i!["mAP@all"],
        fitSeconds: fitS,
        fitCpuSeconds: fitCpuS,
        encodeItemsPerSecond: items / encS,
        peakRssMiB: peakRss / 2 ** 20,
        backend: rep.backend,
        history: method === "UGACH" ? rep.history : undefined,
        graph: method === "UGACH" ? (model as UGACH).graphStats : undefined,
      };
      rows.push(row);
      console.log(
        `${dname}\t${row.method}\t${bits}\tI→T ${row.i2t.toFixed(4)}\tT→I ${row.t2i.toFixed(4)}\tfit ${fitS.toFixed(1)} s (cpu ${fitCpuS.toFixed(1)} s)\tencode ${Math.round(row.encodeItemsPerSecond)} items/s\tpeak RSS ${row.peakRssMiB.toFixed(0)} MiB\t${rep.backend}`,
      );
      model.dispose();
    }
  }
}
const out = args.get("out");
if (out)
  writeFileSync(
    out,
    `${JSON.stringify({ preset, extra, cpus: cpus().length, node: process.version, rows }, null, 1)}\n`,
  );
