// Side-by-side timing of tfjs (this package, its selected backend) and PyTorch CPU on the same
// machine, alternating runs so both see the same background load; reports min and median.
// Wall seconds are what a user waits; CPU seconds (user + system of the process, all threads) are
// less distorted when other processes share the cores.
// Usage (after `pnpm build`): node bench/compare.mjs [reps=3] [torchThreads=2]
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
  const m = /RESULT (\S+) (\S+)/.exec(out);
  if (!m) throw new Error(`no RESULT line from ${cmd} ${args.join(" ")}:\n${out}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) };
};
const cases = [
  { name: "dense step 2048x4096->512->64 (s/step)", js: ["step.mjs"], py: ["step.py", threads] },
  {
    name: "MLP pair epoch, 5000 items, batch 128 (s/epoch)",
    js: ["mlp-epoch.mjs", "2"],
    py: ["mlp-epoch.py", "2", threads],
  },
];
const stats = (xs, key) => {
  const s = xs.map((x) => x[key]).sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
};
const fmt = (x) => x.toFixed(3);
for (const c of cases) {
  const js = [];
  const py = [];
  for (let r = 0; r < reps; r++) {
    js.push(run("node", [join(here, c.js[0]), ...c.js.slice(1)]));
    if (torch) py.push(run("python3", [join(here, c.py[0]), ...c.py.slice(1)]));
  }
  console.log(c.name);
  for (const key of ["wall", "cpu"]) {
    const a = stats(js, key);
    let line = `  ${key.padEnd(4)} s: tfjs min ${fmt(a.min)} median ${fmt(a.median)}`;
    if (torch) {
      const b = stats(py, key);
      line += ` | torch (${threads} threads) min ${fmt(b.min)} median ${fmt(b.median)} | tfjs/torch min ${(a.min / b.min).toFixed(2)} median ${(a.median / b.median).toFixed(2)}`;
    }
    console.log(line);
  }
}
