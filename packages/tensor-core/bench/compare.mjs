// Side-by-side timing of tfjs (this package, its selected backend) and PyTorch CPU on the same
// machine, alternating runs so both see the same background load; reports min and median.
// Usage (after `pnpm build`): node bench/compare.mjs [reps=3] [threads=2]
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const reps = Number(process.argv[2] ?? 3);
const threads = String(process.argv[3] ?? 2);
let torch = true;
try {
  execFileSync("python3", ["-c", "import torch"], { stdio: "ignore" });
} catch {
  torch = false;
  console.log(
    "PyTorch not importable by python3: timing tfjs only (apt-get install python3-torch)",
  );
}
const run = (cmd, args) => {
  const out = execFileSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, CMH_BENCH_QUIET: "1" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const m = /RESULT (\S+)/.exec(out);
  if (!m) throw new Error(`no RESULT line from ${cmd} ${args.join(" ")}:\n${out}`);
  return Number(m[1]);
};
const cases = [
  { name: "dense step 2048x4096->512->64 (s/step)", js: ["step.mjs"], py: ["step.py", threads] },
  {
    name: "MLP pair epoch, 5000 items, batch 128 (s/epoch)",
    js: ["mlp-epoch.mjs", "2"],
    py: ["mlp-epoch.py", "2", threads],
  },
];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
};
for (const c of cases) {
  const js = [];
  const py = [];
  for (let r = 0; r < reps; r++) {
    js.push(run("node", [join(here, c.js[0]), ...c.js.slice(1)]));
    if (torch) py.push(run("python3", [join(here, c.py[0]), ...c.py.slice(1)]));
  }
  const a = stats(js);
  let line = `${c.name}: tfjs min ${a.min.toFixed(3)} median ${a.median.toFixed(3)}`;
  if (torch) {
    const b = stats(py);
    line += ` | torch(${threads} threads) min ${b.min.toFixed(3)} median ${b.median.toFixed(3)} | ratio tfjs/torch min ${(a.min / b.min).toFixed(2)} median ${(a.median / b.median).toFixed(2)}`;
  }
  console.log(line);
}
