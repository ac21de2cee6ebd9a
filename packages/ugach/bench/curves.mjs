// Diagnostic: training curves of one UGACH fit on a VALIDATION set — D's hinge, G's loss and
// reward per epoch, and (with --eval) the validation mAP@all of D's codes after every epoch of
// every phase. Used to read the dynamics of a setting, never to pick an epoch (the fit's result is
// always its last epoch), and never run on a test split.
//   cd packages/ugach && npx tsup bench/curves.mjs --format esm --out-dir .tmp --no-config &&
//     node .tmp/curves.js <synthetic-val | csv-folder> <bits> <seed> ['{"k":v}'] [--eval] [--hubs]
//   (after `pnpm build`: tsup bundles the method's internals from `src/`; the `@cmh/*` packages
//   come from their built `dist/`).
// A csv folder is the I_tr/T_tr/L_tr/I_te/T_te/L_te layout
// (e.g. the uci-val split of uci-mfeat's training rows described in the README).
import { applySplit, loadTrainTestLayout, makeSplit, PROTOCOLS, synthetic } from "@cmh/datasets";
import { packCodes } from "@cmh/hamming-index";
import { evaluateCrossModal } from "@cmh/metrics";
import { initBackend } from "@cmh/tensor-core";
import { UGACH } from "../src/index";
import { relaxedCodes } from "../src/network";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const doEval = process.argv.includes("--eval");
const doHubs = process.argv.includes("--hubs");
const [name = "synthetic-val", bitsArg = "32", seedArg = "0", overrides = "{}"] = args;
const bits = Number(bitsArg);
const seed = Number(seedArg);
await initBackend({ log: false });

let set;
let split;
if (name === "synthetic-val") {
  set = synthetic({ seed: 1 }).set;
  split = makeSplit(PROTOCOLS["synthetic-default"], set.image.rows, seed);
} else {
  ({ set, split } = await loadTrainTestLayout(name, { name: "val" }));
}
const { train, query, database } = applySplit(set, split);

const model = new UGACH({ ...UGACH.presets.quick, ...JSON.parse(overrides), bits, seed });
const codes = (m, x) => {
  const h = relaxedCodes(model.discriminator, m, x);
  for (let i = 0; i < h.length; i++) h[i] -= 0.5;
  return packCodes(h, x.rows, bits);
};
const evalNow = () => {
  const r = evaluateCrossModal({
    image: { query: codes("image", query.image), database: codes("image", database.image) },
    text: { query: codes("text", query.text), database: codes("text", database.text) },
    queryLabels: query.labels,
    databaseLabels: database.labels,
    directions: ["i2t", "t2i"],
    k: "all",
  });
  return { i2t: +r.i2t["mAP@all"].toFixed(4), t2i: +r.t2i["mAP@all"].toFixed(4) };
};
// How concentrated the generator's picks are (i2t): every training image draws 2 texts from
// softmax(-d_G) over 100 random texts; reported: the mean entropy of that softmax (uniform: ln 100
// = 4.61), distinct texts picked / n, the largest share of all picks taken by one text, and the
// share of picks with a label in common with the query (labels of the validation training set,
// described only; a uniform pick gives the random-pair rate).
const hubs = () => {
  const hq = relaxedCodes(model.generator, "image", train.image);
  const hx = relaxedCodes(model.generator, "text", train.text);
  const n = train.image.rows;
  const count = new Int32Array(n);
  const c = 100;
  const logit = new Float64Array(c);
  const cand = new Int32Array(c);
  let ent = 0;
  // The reference's "Pos sample ratio" diagnostic: share of picks that share a label with q.
  const L = train.labels;
  let same = 0;
  let picks = 0;
  for (let q = 0; q < n; q++) {
    let max = -Infinity;
    for (let j = 0; j < c; j++) {
      cand[j] = Math.floor(Math.random() * n);
      let d = 0;
      for (let t = 0; t < bits; t++) {
        const v = hq[q * bits + t] - hx[cand[j] * bits + t];
        d += v * v;
      }
      logit[j] = -d;
      if (-d > max) max = -d;
    }
    let z = 0;
    for (let j = 0; j < c; j++) z += Math.exp(logit[j] - max);
    for (let j = 0; j < c; j++) {
      const p = Math.exp(logit[j] - max) / z;
      if (p > 0) ent -= (p * Math.log(p)) / n;
    }
    for (let s = 0; s < 2; s++) {
      let u = Math.random() * z;
      let j = 0;
      for (; j < c - 1; j++) {
        u -= Math.exp(logit[j] - max);
        if (u <= 0) break;
      }
      count[cand[j]]++;
      if (L) {
        picks++;
        for (let k = 0; k < L.cols; k++)
          if (L.data[q * L.cols + k] && L.data[cand[j] * L.cols + k]) {
            same++;
            break;
          }
      }
    }
  }
  let distinct = 0;
  let top = 0;
  for (const k of count) {
    if (k > 0) distinct++;
    if (k > top) top = k;
  }
  return {
    gEntropy: +ent.toFixed(2),
    gDistinct: +(distinct / n).toFixed(3),
    gTop: +(top / (2 * n)).toFixed(4),
    gSameLabel: picks ? +(same / picks).toFixed(3) : null,
  };
};
const report = await model.fit(train, {
  onProgress: (e) => {
    if (e.phase !== "pretrain" && e.phase !== "train") return;
    const losses = Object.fromEntries(
      Object.entries(e.losses ?? {}).map(([k, v]) => [k, +v.toFixed(4)]),
    );
    const line = { phase: e.phase, epoch: e.epoch, t: +e.elapsedSeconds.toFixed(1), ...losses };
    if (doEval) Object.assign(line, evalNow());
    if (doHubs) Object.assign(line, hubs());
    console.log(JSON.stringify(line));
  },
});
console.log(JSON.stringify({ done: true, seconds: +report.seconds.toFixed(1), ...evalNow() }));
