// Is a method's `paper` preset runnable at the paper's scale on this machine? Fits it on a
// synthetic set of paper size (default 20,000 items: 19,000 training pairs, 4,096-d image
// features like fc7, 1,386-d BoW text) and stops the fit through its AbortSignal once the first
// epoch of the first training phase has reported, so the whole set-up (graphs, buffers) and one
// real epoch are timed. Prints, per method: the time until the first epoch ended, the method's own ETA for the rest of the fit, CPU seconds, peak RSS and
// the tf backend's peak tensor bytes. Nothing is extrapolated beyond the method's own ETA.
//
// Usage (repo root, after `pnpm build`):
//   node apps/bench/scripts/paper-scale.mjs [--methods UGACH,CMIMH] [--n-train 19000]
//        [--image-dim 4096] [--text-dim 1386] [--bits 32] [--set '{"batchSize":32}'] [--max-minutes 30]
// One method per process run (sequentially) so peak RSS is per method.
import { execFileSync } from "node:child_process";
import { resourceUsage } from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    methods: { type: "string", default: "CMIMH,DSPAH,SGEH,UCH,UGACH" },
    "n-train": { type: "string", default: "19000" },
    "image-dim": { type: "string", default: "4096" },
    "text-dim": { type: "string", default: "1386" },
    bits: { type: "string", default: "32" },
    set: { type: "string", default: "{}" },
    "max-minutes": { type: "string", default: "30" },
    child: { type: "boolean", default: false },
  },
});

if (!values.child) {
  for (const m of values.methods.split(",")) {
    const args = [fileURLToPath(import.meta.url), "--child", "--methods", m];
    for (const k of ["n-train", "image-dim", "text-dim", "bits", "set", "max-minutes"])
      args.push(`--${k}`, values[k]);
    try {
      execFileSync(process.execPath, args, { stdio: "inherit" });
    } catch (e) {
      console.log(`${m}: process failed (${e.status ?? e.signal})`);
    }
  }
  process.exit(0);
}

const { applySplit, synthetic } = await import("@cmh/datasets");
const { initBackend, backendName, tf } = await import("@cmh/tensor-core");
const { selectMethods } = await import("../dist/registry.js");
await initBackend({ log: false });
const [entry] = selectMethods([values.methods]);
const Method = await entry.load();
const nTrain = Number(values["n-train"]);
const t0 = performance.now();
const { set, split } = synthetic({
  nQuery: 1000,
  nDatabase: nTrain,
  nTrain,
  imageDim: Number(values["image-dim"]),
  textDim: Number(values["text-dim"]),
});
const { train } = applySplit(set, split);
const dataSeconds = (performance.now() - t0) / 1000;
const config = { ...Method.presets.paper, bits: Number(values.bits), ...JSON.parse(values.set) };
const model = new Method(config);
const fitData = entry.supervised ? train : { image: train.image, text: train.text };
const ctrl = new AbortController();
let first;
const c0 = process.cpuUsage();
const f0 = performance.now();
const limit = setTimeout(() => ctrl.abort(), Number(values["max-minutes"]) * 60_000);
let peakBytes = 0;
const poll = setInterval(() => {
  peakBytes = Math.max(peakBytes, tf.memory().numBytes);
}, 50);
try {
  await model.fit(fitData, {
    signal: ctrl.signal,
    onProgress: (p) => {
      if (first) return;
      first = { ...p, at: (performance.now() - f0) / 1000 };
      ctrl.abort();
    },
  });
} catch (e) {
  if (!(e instanceof Error && e.name === "AbortError")) {
    console.log(`${entry.name}: fit failed: ${e instanceof Error ? e.message : e}`);
  }
}
clearInterval(poll);
clearTimeout(limit);
const cpu = process.cpuUsage(c0);
const stopped = (performance.now() - f0) / 1000;
const rss = resourceUsage().maxRSS / 1024;
const fmt = (s) =>
  s === undefined ? "?" : s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`;
console.log(
  `${entry.name} paper, ${train.image.rows} pairs (${train.image.cols}-d image, ${train.text.cols}-d text), ` +
    `${config.bits} bits, backend ${backendName()}: data ${fmt(dataSeconds)}; ` +
    (first
      ? `epoch 1 of phase "${first.phase}" (of ${first.epochs}) ended ${fmt(first.at)} after fit began ` +
        `(set-up included); the method's ETA for the rest of the fit: ${fmt(first.etaSeconds)}; `
      : `no epoch reported (--max-minutes ${values["max-minutes"]}); `) +
    `stopped at ${fmt(stopped)}, CPU ${fmt((cpu.user + cpu.system) / 1e6)}, peak RSS ${rss.toFixed(0)} MiB, ` +
    `peak tf tensors ${(peakBytes / 2 ** 20).toFixed(0)} MiB (sampled)`,
);
model.dispose?.();
