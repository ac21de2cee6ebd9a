// What each tfjs backend costs each method: fits the method's preset (default quick, 16 bits) on
// the training pairs of synthetic-small (1,000) and stops it through its AbortSignal once the
// first epoch of the first training phase has reported, so set-up (graphs, buffers) and one real
// epoch are timed; a fit that ends before reporting (CCA-ITQ) is timed whole. One child process
// per method x backend (a process has one backend), run one after another.
//
// Usage (repo root, after `pnpm build`):
//   node apps/bench/scripts/backend-cost.mjs [--methods UCH,SGEH] [--backends wasm,cpu]
//        [--preset quick] [--bits 16] [--cpu-prof <dir>] [--kernels 12]
// Prints one line per method x backend and a markdown table (seconds, cpu/wasm ratio, and the
// method's own ETA for the rest of the fit). `--kernels n` also times every tfjs kernel call of
// the fit (top-level calls only, matMuls by transpose form) and prints the n costliest; `--cpu-prof`
// writes node CPU profiles (`<method>-<backend>.cpuprofile`).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    methods: { type: "string", default: "CCA-ITQ,CMIMH,DSPAH,SGEH,UCH,UGACH" },
    backends: { type: "string", default: "wasm,cpu" },
    preset: { type: "string", default: "quick" },
    bits: { type: "string", default: "16" },
    "cpu-prof": { type: "string" },
    kernels: { type: "string", default: "0" },
    child: { type: "string" },
  },
});

if (!values.child) {
  const rows = [];
  for (const m of values.methods.split(",")) {
    const row = { method: m };
    for (const b of values.backends.split(",")) {
      const execArgv = values["cpu-prof"]
        ? [
            "--cpu-prof",
            "--cpu-prof-dir",
            values["cpu-prof"],
            "--cpu-prof-name",
            `${m}-${b}.cpuprofile`,
          ]
        : [];
      const args = [...execArgv, fileURLToPath(import.meta.url), "--child", b, "--methods", m];
      args.push("--preset", values.preset, "--bits", values.bits, "--kernels", values.kernels);
      try {
        const out = execFileSync(process.execPath, args, { encoding: "utf8" });
        const lines = out.trim().split("\n");
        const r = JSON.parse(lines.pop());
        if (lines.length > 0) console.log(lines.join("\n"));
        console.log(JSON.stringify(r));
        row[b] = r;
      } catch (e) {
        console.log(`${m} on ${b}: process failed (${e.status ?? e.signal})`);
      }
    }
    rows.push(row);
  }
  const bs = values.backends.split(",");
  const fmt = (s) => (s === undefined || s === null ? "—" : s >= 100 ? s.toFixed(0) : s.toFixed(1));
  console.log(
    `\n| method | what was timed | ${bs.map((b) => `${b} s`).join(" | ")} | ${bs[bs.length - 1]} / ${bs[0]} | ${bs.map((b) => `ETA of the rest, ${b}`).join(" | ")} |`,
  );
  console.log(`|---|---|${bs.map(() => "---:").join("|")}|---:|${bs.map(() => "---:").join("|")}|`);
  for (const r of rows) {
    const first = r[bs[0]];
    const last = r[bs[bs.length - 1]];
    const what = first?.phase ? `set-up + epoch 1 of "${first.phase}"` : "whole fit";
    const ratio = first && last ? `${(last.seconds / first.seconds).toFixed(1)}x` : "—";
    console.log(
      `| ${r.method} | ${what} | ${bs.map((b) => fmt(r[b]?.seconds)).join(" | ")} | ${ratio} | ${bs.map((b) => fmt(r[b]?.eta)).join(" | ")} |`,
    );
  }
  process.exit(0);
}

const { applySplit, synthetic } = await import("@cmh/datasets");
const { initBackend, backendName, activeKernelFixes, tf } = await import("@cmh/tensor-core");
const { selectMethods } = await import("../dist/registry.js");
await initBackend({ backend: values.child, log: false });
const [entry] = selectMethods([values.methods]);
const Method = await entry.load();
const { set, split } = synthetic({ nQuery: 200, nDatabase: 1800, nTrain: 1000 });
const { train } = applySplit(set, split);
const config = { ...Method.presets[values.preset], bits: Number(values.bits) };
const model = new Method(config);
const fitData = entry.supervised ? train : { image: train.image, text: train.text };
const kernelStats = new Map();
if (Number(values.kernels) > 0) {
  let depth = 0;
  for (const k of tf.getKernelsForBackend(backendName())) {
    const run = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backendName());
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const t0 = performance.now();
        depth++;
        try {
          return run(args);
        } finally {
          depth--;
          if (depth === 0) {
            const a = args.attrs ?? {};
            const form = k.kernelName.includes("MatMul")
              ? ` (${a.transposeA ? "Aᵀ" : "A"}·${a.transposeB ? "Bᵀ" : "B"})`
              : "";
            const key = k.kernelName + form;
            const s = kernelStats.get(key) ?? { ms: 0, calls: 0 };
            s.ms += performance.now() - t0;
            s.calls++;
            kernelStats.set(key, s);
          }
        }
      },
    });
  }
}
const ctrl = new AbortController();
let first;
const f0 = performance.now();
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
  if (!(e instanceof Error && e.name === "AbortError")) throw e;
}
const seconds = first ? first.at : (performance.now() - f0) / 1000;
if (kernelStats.size > 0) {
  const top = [...kernelStats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const total = top.reduce((t, [, s]) => t + s.ms, 0);
  console.log(
    `${entry.name} on ${backendName()}: kernels ${(total / 1000).toFixed(1)} s of ${seconds.toFixed(1)} s`,
  );
  for (const [k, s] of top.slice(0, Number(values.kernels))) {
    console.log(
      `  ${(s.ms / 1000).toFixed(2).padStart(7)} s ${String(s.calls).padStart(7)} calls  ${k}`,
    );
  }
}
console.log(
  JSON.stringify({
    method: entry.name,
    backend: backendName(),
    kernelFixes: activeKernelFixes(),
    preset: values.preset,
    bits: config.bits,
    trainPairs: train.image.rows,
    phase: first?.phase ?? null,
    epochsInPhase: first?.epochs ?? null,
    seconds,
    eta: first?.etaSeconds ?? null,
  }),
);
model.dispose?.();
