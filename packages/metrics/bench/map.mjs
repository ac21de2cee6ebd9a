// Benchmark: mAP@all for 2,000 queries x 18,015 database items, 64-bit codes, 24 labels
// (the MIRFlickr-25K protocol's size; multi-hot labels, several per item).
// Run after a build:  node packages/metrics/bench/map.mjs [--reps 5] [--bits 64] [--density 0.16]
import { mulberry32 } from "@cmh/hamming-index";
import { evaluateCrossModal, evaluateRetrieval } from "../dist/index.js";

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const Q = arg("queries", 2000);
const N = arg("database", 18015);
const bits = arg("bits", 64);
const L = 24;
const reps = arg("reps", 5);
const density = arg("density", 0.16);

const rng = mulberry32;
const r = rng(42);
const w = Math.ceil(bits / 32);
const lastMask = bits % 32 === 0 ? 0xffffffff : (1 << (bits % 32)) - 1;

// Labels: each of 24 labels present with probability `density` (default 0.16, at least one per
// item): about 3.9 labels per item, as in MIRFlickr-25K.
function labels(n) {
  const data = new Uint8Array(n * L);
  for (let i = 0; i < n; i++) {
    let any = false;
    for (let c = 0; c < L; c++) {
      if (r() < density) {
        data[i * L + c] = 1;
        any = true;
      }
    }
    if (!any) data[i * L + Math.floor(r() * L)] = 1;
  }
  return { rows: n, cols: L, data };
}
// Codes loosely tied to labels (like learned codes): a random centre per label, each code the
// centre of one of its labels with bits flipped with probability 0.2.
const centres = Array.from({ length: L }, () =>
  Uint32Array.from({ length: w }, () => (r() * 2 ** 32) >>> 0),
);
function codes(lab) {
  const words = new Uint32Array(lab.rows * w);
  for (let i = 0; i < lab.rows; i++) {
    const mine = [];
    for (let c = 0; c < L; c++) if (lab.data[i * L + c]) mine.push(c);
    const centre = centres[mine[Math.floor(r() * mine.length)]];
    for (let t = 0; t < w; t++) {
      let flip = 0;
      for (let b = 0; b < 32; b++) if (r() < 0.2) flip |= 1 << b;
      words[i * w + t] = (centre[t] ^ flip) >>> 0;
    }
    words[i * w + w - 1] &= lastMask;
  }
  return { n: lab.rows, bits, words };
}

const qL = labels(Q);
const dL = labels(N);
const qImg = codes(qL);
const dImg = codes(dL);
const qTxt = codes(qL);
const dTxt = codes(dL);

// Wall time and this process's CPU time (user + system) per run; on a shared machine the CPU
// time is the steadier figure.
function time(label, fn) {
  fn(); // warm-up
  const wall = [];
  const cpu = [];
  let out;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    out = fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(
    `${label.padEnd(52)} wall median ${med(wall).toFixed(3)} s (min ${Math.min(...wall).toFixed(3)}), cpu median ${med(cpu).toFixed(3)} s (min ${Math.min(...cpu).toFixed(3)}); ${reps} runs`,
  );
  return out;
}

console.log(
  `@cmh/metrics bench: ${Q} queries x ${N} database, ${bits} bits, ${L} labels; node ${process.version}`,
);
const base = { query: qImg, database: dTxt, queryLabels: qL, databaseLabels: dL };
const m = time("mAP@all only (one direction)", () =>
  evaluateRetrieval({ ...base, k: "all", precisionAtN: [], prCurve: false }),
);
console.log(
  `  mAP@all = ${m["mAP@all"].toFixed(4)}, relevant pair rate ${m.relevantPairRate.toFixed(3)}`,
);
time("default set: mAP@all, mAP@50, P@N, PR curve, P@r2", () => evaluateRetrieval(base));
time("mAP@all + mAP@1000 + tie-aware mAP@all", () =>
  evaluateRetrieval({
    ...base,
    k: ["all", 1000],
    precisionAtN: [],
    prCurve: false,
    tieAware: true,
  }),
);
time("evaluateCrossModal, 4 directions, default set", () =>
  evaluateCrossModal({
    image: { query: qImg, database: dImg },
    text: { query: qTxt, database: dTxt },
    queryLabels: qL,
    databaseLabels: dL,
  }),
);
