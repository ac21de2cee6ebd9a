#!/usr/bin/env node
// The long fuzz run: every loader's property test with CMH_FUZZ_RUNS cases (default 10,000),
// one vitest process per file with a time limit, so a hang in one loader is reported and the
// others still run. Usage: node tooling/scripts/fuzz-long.mjs [runs] [minutes-per-file]
// (build first: the bench's tests use the workspace sources, the CLI tests its dist).
import { spawnSync } from "node:child_process";

const runs = Number(process.argv[2] ?? 10000);
const minutes = Number(process.argv[3] ?? 60);
// [file, test-name filter]: MAT v7.3 runs alone (HDF5's C code can loop on a corrupt file).
const files = [
  ["packages/datasets/src/loaders.fuzz.test.ts", "CSV|npy|MAT v5"],
  ["packages/datasets/src/loaders.fuzz.test.ts", "MAT v7.3"],
  ["packages/hamming-index/src/io.fuzz.test.ts", ""],
  ["apps/bench/src/models.fuzz.test.ts", ""],
  ["apps/bench/src/args.fuzz.test.ts", ""],
];
const summary = [];
for (const [f, filter] of files) {
  const t0 = Date.now();
  const args = ["vitest", "run", f, "--reporter=verbose", ...(filter ? ["-t", filter] : [])];
  const r = spawnSync("npx", args, {
    env: { ...process.env, CMH_FUZZ_RUNS: String(runs) },
    encoding: "utf8",
    timeout: minutes * 60_000,
    killSignal: "SIGKILL",
  });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  process.stdout.write(out);
  const status =
    r.error?.code === "ETIMEDOUT" || r.signal
      ? `killed after ${minutes} min (hang?)`
      : r.status === 0
        ? "passed"
        : "FAILED";
  summary.push(
    `${f}${filter ? ` (${filter})` : ""}: ${status} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}
console.log(`\nfuzz-long: ${runs} cases per property`);
for (const l of summary) console.log(`  ${l}`);
