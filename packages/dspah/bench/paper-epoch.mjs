// Scale check of the `paper` preset: one epoch of Algorithm 1 (an image pass, a text pass, the B
// update) on a 20,000-item synthetic set (19,000 training pairs; the default generator's dims).
// Reports wall and CPU seconds of the epoch and peak RSS. Nothing n x n is built: the similarity
// block is batch x n. Runs against dist/.
//
// Usage (repo root, after `pnpm build`):
//   node packages/dspah/bench/paper-epoch.mjs [nTrain=19000] [preset=paper] ['{"bits":32}']
import { resourceUsage } from "node:process";
import { applySplit, synthetic } from "@cmh/datasets";
import { DSPAH } from "@cmh/dspah";
import { backendName, initBackend } from "@cmh/tensor-core";

await initBackend({ log: false });
const nTrain = Number(process.argv[2] ?? 19000);
const preset = process.argv[3] ?? "paper";
const extra = JSON.parse(process.argv[4] ?? "{}");
const { set, split } = synthetic({ nQuery: 1000, nDatabase: nTrain, nTrain });
const { train } = applySplit(set, split);
const m = new DSPAH({
  ...DSPAH.presets[preset],
  bits: 32,
  epochs: 1,
  epochScaleItems: 0,
  ...extra,
});
console.log(
  `train ${train.image.rows} pairs, image ${train.image.cols}-d, text ${train.text.cols}-d, backend ${backendName()}`,
);
const t0 = performance.now();
const c0 = process.cpuUsage();
const rep = await m.fit(train);
const cu = process.cpuUsage(c0);
console.log(
  `1 epoch (${preset}, batch ${m.config.batchSize}): ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((cu.user + cu.system) / 1e6).toFixed(1)} s cpu, peak RSS ${(resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);
console.log("loss terms", JSON.stringify(rep.history[0]));
m.dispose();
