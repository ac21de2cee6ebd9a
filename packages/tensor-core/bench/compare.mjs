// Side-by-side timing of tfjs (this package, its selected backend) and PyTorch CPU on the same
// machine, alternating runs so all variants see the same background load; reports min and median
// of wall seconds (what a user waits) and CPU seconds (user + system of the process, all threads;
// less distorted when other processes share the cores), the ratios against PyTorch with 1 and with
// N threads, single-matMul GFLOP/s, and the load average before and after.
// Usage (after `pnpm build`): node bench/compare.mjs [reps=3] [torchThreads=2] [tfjsThreads=auto]
// tfjs runs with CMH_THREADS=1 and, when tfjsThreads > 1, also with CMH_THREADS=tfjsThreads
// (default min(cores, 4)); PyTorch with 1 thread and torchThreads.
import { execFileSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const reps = Number(process.argv[2] ?? 3);
const torchThreads = [...new Set([1, Number(process.argv[3] ?? 2)])];
const auto = Math.max(1, Math.min(availableParallelism(), 4));
const tfjsThreads = [...new Set([1, Number(process.argv[4] ?? auto)])];
// Debian's python3-torch lives in the system interpreter; a pyenv `python3` may lack torch.
let python;
for (const py of ["/usr/bin/python3", "python3"]) {
  try {
    execFileSync(py, ["-c", "import torch"], { stdio: "ignore" });
    python = py;
    break;
  } catch {}
}
if (python) {
  // Which BLAS PyTorch calls matters more than anything else here: Debian's python3-torch reports
  // BLAS_INFO=generic and uses whatever /etc/alternatives/libblas.so.3 points to (the reference
  // BLAS unless libopenblas0 or libblis is installed).
  const cfg = execFileSync(
    python,
    ["-c", "import torch; print(torch.__version__, torch.__config__.show())"],
    {
      encoding: "utf8",
    },
  );
  const blas = /BLAS_INFO=([^,\s]+)/.exec(cfg)?.[1] ?? "?";
  let lib = "?";
  try {
    lib = execFileSync("readlink", ["-f", "/etc/alternatives/libblas.so.3-x86_64-linux-gnu"], {
      encoding: "utf8",
    }).trim();
  } catch {}
  console.log(
    `PyTorch ${cfg.split(" ")[0]} (${python}), BLAS_INFO=${blas}, system libblas: ${lib}`,
  );
}
if (!python) {
  console.log(
    "PyTorch not importable by python3: timing tfjs only (apt-get install python3-torch)",
  );
}
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
console.log(
  `cores ${availableParallelism()}, load average (1/5/15 min) at start ${load()}; ${reps} reps each`,
);
const run = (cmd, args, env = {}) => {
  const out = execFileSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, CMH_BENCH_QUIET: "1", ...env },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const m = /RESULT (\S+) (\S+)/.exec(out);
  if (!m) throw new Error(`no RESULT line from ${cmd} ${args.join(" ")}:\n${out}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) };
};
for (const t of tfjsThreads) {
  console.log(
    execFileSync("node", [join(here, "matmul.mjs"), "3"], {
      encoding: "utf8",
      env: { ...process.env, CMH_BENCH_QUIET: "1", CMH_THREADS: String(t) },
    }).trim(),
  );
}
const cases = [
  { name: "dense step 2048x4096->512->64 (s/step)", js: ["step.mjs"], py: (t) => ["step.py", t] },
  {
    name: "MLP pair epoch, 5000 items, batch 128 (s/epoch)",
    js: ["mlp-epoch.mjs", "2"],
    py: (t) => ["mlp-epoch.py", "2", t],
  },
];
const stats = (xs, key) => {
  const s = xs.map((x) => x[key]).sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
};
const fmt = (x) => x.toFixed(3);
for (const c of cases) {
  const js = new Map(tfjsThreads.map((t) => [t, []]));
  const py = new Map(torchThreads.map((t) => [t, []]));
  for (let r = 0; r < reps; r++) {
    for (const t of tfjsThreads) {
      js.get(t).push(
        run("node", [join(here, c.js[0]), ...c.js.slice(1)], { CMH_THREADS: String(t) }),
      );
    }
    if (python) {
      for (const t of torchThreads)
        py.get(t).push(
          run(python, [join(here, ...c.py(String(t)).slice(0, 1)), ...c.py(String(t)).slice(1)]),
        );
    }
  }
  console.log(c.name);
  for (const key of ["wall", "cpu"]) {
    for (const [t, xs] of js) {
      const a = stats(xs, key);
      let line = `  ${key.padEnd(4)} s: tfjs ${t} thread(s) min ${fmt(a.min)} median ${fmt(a.median)}`;
      for (const [pt, ys] of py) {
        const b = stats(ys, key);
        line += ` | torch ${pt} thread(s) min ${fmt(b.min)} median ${fmt(b.median)}, ratio min ${(a.min / b.min).toFixed(2)} median ${(a.median / b.median).toFixed(2)}`;
      }
      console.log(line);
    }
  }
}
console.log(`load average at end ${load()}`);
