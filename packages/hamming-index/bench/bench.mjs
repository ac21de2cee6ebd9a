// Benchmark of @cmh/hamming-index (not a test). Run from the package dir after `pnpm build`:
//   node bench/bench.mjs            (full: 1,000,000 codes, 1,000 queries)
//   node bench/bench.mjs --quick    (100,000 codes, 200 queries)
// Flat k-NN (k = 100) on random 64- and 128-bit codes: ours (WebAssembly kernel and the plain-JS
// fallback) against FAISS IndexBinaryFlat (python3-faiss, one thread) in the same run when
// `python3 -c "import faiss"` works; then MultiIndexHashing against our flat scan, k = 10, on
// clustered codes (1,000 random centres, each bit flipped with probability 0.05) and on random
// codes. Every comparison checks that the results are identical (FAISS: same distances).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FlatIndex, MultiIndexHashing, mulberry32Words } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const N = quick ? 100_000 : 1_000_000;
const NQ = quick ? 200 : 1_000;

const rng = mulberry32Words;
function randomCodes(n, bits, seed) {
  const r = rng(seed);
  const words = new Uint32Array(n * Math.ceil(bits / 32));
  for (let i = 0; i < words.length; i++) words[i] = r();
  return { n, bits, words };
}
/** n codes around `centres` random centres, each bit flipped with probability `flip`. */
function clusteredCodes(n, bits, centres, flip, seed) {
  const r = rng(seed);
  const w = Math.ceil(bits / 32);
  const c = randomCodes(centres, bits, seed + 1);
  const words = new Uint32Array(n * w);
  const thr = Math.floor(flip * 2 ** 32);
  for (let j = 0; j < n; j++) {
    const k = r() % centres;
    for (let t = 0; t < w; t++) words[j * w + t] = c.words[k * w + t];
    for (let i = 0; i < bits; i++) if (r() < thr) words[j * w + (i >>> 5)] ^= 1 << (i & 31);
  }
  return { n, bits, words };
}
const split = (codes, nq) => {
  const w = Math.ceil(codes.bits / 32);
  const n = codes.n - nq;
  return [
    { n, bits: codes.bits, words: codes.words.subarray(0, n * w) },
    { n: nq, bits: codes.bits, words: codes.words.slice(n * w) },
  ];
};
const REPS = 3;
/** Best of REPS runs: [result, wall ms, CPU ms] (CPU time of this process, single-threaded). */
function time(fn, reps = REPS) {
  let best = [null, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    const r = fn();
    const wall = performance.now() - t;
    const cu = process.cpuUsage(c);
    const cpu = (cu.user + cu.system) / 1000;
    best = [r, Math.min(best[1], wall), Math.min(best[2], cpu)];
  }
  return best;
}
const f3 = (x) => x.toFixed(3);
const sameArrays = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
const sameResult = (a, b) =>
  sameArrays(a.indices, b.indices) && sameArrays(a.distances, b.distances);

let faissOk = true;
try {
  execFileSync("python3", ["-c", "import faiss"], { stdio: "ignore" });
} catch {
  faissOk = false;
}

console.log(
  `# @cmh/hamming-index bench: ${N.toLocaleString("en")} codes, ${NQ} queries, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), single thread`,
);
console.log(
  `\n## Flat k-NN, random codes, k = 100: ms per query, best of ${REPS} runs, wall clock / CPU time\n`,
);
console.log(
  "| bits | ours, wasm | ours, js fallback (1 run, 200 queries) | FAISS IndexBinaryFlat | speedup vs FAISS (wall / CPU) | identical |",
);
console.log("| ---: | ---: | ---: | ---: | ---: | --- |");
const dir = mkdtempSync(join(tmpdir(), "cmh-hamming-bench-"));
try {
  for (const bits of [64, 128]) {
    const db = randomCodes(N, bits, bits);
    const q = randomCodes(NQ, bits, bits + 1);
    const wasm = new FlatIndex(bits, { backend: "wasm" });
    wasm.add(db);
    wasm.search({ n: 10, bits, words: q.words.subarray(0, 10 * (bits / 32)) }, 100); // warm up
    const [rw, tw, cw] = time(() => wasm.search(q, 100));
    const js = new FlatIndex(bits, { backend: "js" });
    js.add(db);
    const nqJs = Math.min(NQ, 200);
    const qJs = { n: nqJs, bits, words: q.words.subarray(0, nqJs * (bits / 32)) };
    const [rj, tj, cj] = time(() => js.search(qJs, 100), 1);
    const identical = sameResult(rj, {
      indices: rw.indices.subarray(0, nqJs * 100),
      distances: rw.distances.subarray(0, nqJs * 100),
    });
    let faiss = null;
    let faissSame = "n/a";
    if (faissOk) {
      const fdb = join(dir, "db.bin");
      const fq = join(dir, "q.bin");
      const fout = join(dir, "d.bin");
      writeFileSync(fdb, new Uint8Array(db.words.buffer, db.words.byteOffset, db.words.byteLength));
      writeFileSync(fq, new Uint8Array(q.words.buffer, q.words.byteOffset, q.words.byteLength));
      const script = fileURLToPath(new URL("faiss_flat.py", import.meta.url));
      faiss = JSON.parse(
        execFileSync("python3", [script, fdb, fq, String(bits), "100", fout, String(REPS)], {
          encoding: "utf8",
          env: { ...process.env, OMP_NUM_THREADS: "1" },
        }),
      );
      const fd = new Int32Array(readFileSync(fout).buffer.slice(0));
      faissSame = sameArrays(fd, rw.distances) ? "same distances" : "NO";
    }
    const ow = tw / NQ;
    const oc = cw / NQ;
    console.log(
      `| ${bits} | ${f3(ow)} / ${f3(oc)} | ${f3(tj / nqJs)} / ${f3(cj / nqJs)} | ${faiss ? `${f3(faiss.wall_ms)} / ${f3(faiss.cpu_ms)}` : "n/a (no faiss)"} | ${faiss ? `${(faiss.wall_ms / ow).toFixed(2)}x / ${(faiss.cpu_ms / oc).toFixed(2)}x` : "n/a"} | js = wasm: ${identical ? "yes" : "NO"}; FAISS: ${faissSame} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\n## Multi-index hashing vs our flat scan, 64 bits, k = 10: ms per query, best of ${REPS}, wall / CPU\n`,
);
console.log(
  "| codes | index | build ms | MIH ms/query | flat ms/query | speedup (wall / CPU) | queries hashed / scanned | identical |",
);
console.log("| --- | --- | ---: | ---: | ---: | ---: | --- | --- |");
for (const [name, all] of [
  ["clustered (1,000 centres, p = 0.05)", clusteredCodes(N + NQ, 64, 1000, 0.05, 7)],
  ["random", randomCodes(N + NQ, 64, 8)],
]) {
  const [db, q] = split(all, NQ);
  const flat = new FlatIndex(64);
  flat.add(db);
  flat.search({ n: 1, bits: 64, words: q.words.subarray(0, 2) }, 10);
  const [rf, tf, cf] = time(() => flat.search(q, 10));
  for (const m of [0, 3, 4]) {
    const mih = new MultiIndexHashing(64, { m });
    mih.add(db);
    const [, tb] = time(() => mih.search({ n: 1, bits: 64, words: q.words.subarray(0, 2) }, 10), 1);
    mih.stats.hashed = 0;
    mih.stats.scanned = 0;
    const [rm, tm, cm] = time(() => mih.search(q, 10));
    console.log(
      `| ${name} | ${mih.spec}${m === 0 ? ` (m = ${mih.m})` : ""} | ${tb.toFixed(0)} | ${f3(tm / NQ)} / ${f3(cm / NQ)} | ${f3(tf / NQ)} / ${f3(cf / NQ)} | ${(tf / tm).toFixed(1)}x / ${(cf / cm).toFixed(1)}x | ${mih.stats.hashed / REPS} / ${mih.stats.scanned / REPS} | ${sameResult(rm, rf) ? "yes" : "NO"} |`,
    );
  }
}
