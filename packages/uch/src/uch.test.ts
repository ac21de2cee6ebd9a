import { applySplit, type LabelMatrix, type Matrix, synthetic } from "@cmh/datasets";
import { type BinaryCodes, packCodes, unpackCodes } from "@cmh/hamming-index";
import { evaluateRetrieval } from "@cmh/metrics";
import { ConfigError, createRng, initBackend, Sgd, tf, trainStep } from "@cmh/tensor-core";
import { describeHasherConformance, describeOnBackends, tinySet } from "@cmh/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { UCH_DEFAULTS, UCH_PRESETS, type UCHConfig } from "./config";
import {
  generatorAdversarial,
  innerDiscriminatorLoss,
  innerGeneratorLoss,
  outerDiscriminatorLoss,
  outerGeneratorLoss,
} from "./losses";
import { UCHNetworks } from "./network";
import { UCH } from "./uch";

const TINY: Partial<UCHConfig> = {
  bits: 16,
  textEmbedDim: 24,
  outerHidden: 32,
  commonDim: 24,
  innerHidden: 24,
  outerDiscHidden: 16,
  innerDiscHidden: 16,
  batchSize: 32,
  epochs: 2,
  lr: 1e-3,
  lrStepEvery: 0,
  input: "standardize",
};

describeHasherConformance(UCH, { config: TINY });

beforeAll(async () => {
  await initBackend({ log: false });
});

function randn(rows: number, cols: number, seed: number, relu = false): tf.Tensor2D {
  const rng = createRng(seed);
  const d = rng.fillNormal(new Float32Array(rows * cols));
  if (relu) for (let i = 0; i < d.length; i++) d[i] = Math.max(0, d[i]);
  return tf.tensor2d(d, [rows, cols]);
}

const snapshot = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));
const scalar = (t: { total: tf.Scalar; terms: Record<string, tf.Scalar> }) => {
  const v = t.total.dataSync()[0];
  tf.dispose([t.total, ...Object.values(t.terms)]);
  return v;
};

describe("UCH config", () => {
  it("paper preset has the spec's sizes and schedule; presets are valid", () => {
    const p = new UCH(UCH.presets.paper);
    expect(p.config).toMatchObject({
      batchSize: 128,
      textEmbedDim: 300,
      outerHidden: 1024,
      commonDim: 512,
      innerHidden: 256,
      outerDiscHidden: 512,
      innerDiscHidden: 256,
      epochs: 100,
      weightDecay: 5e-4,
      lrStepEvery: 30,
      lrGamma: 0.1,
      generatorLoss: "non-saturating",
      weightAdv: 1,
      weightRec: 1,
      weightSim: 1,
      hashGradIntoOuter: false,
      lossReduction: "sum",
    });
    expect(p.config.lr).toBeCloseTo(10 ** -3.5, 10);
    for (const [name, preset] of Object.entries(UCH_PRESETS)) {
      expect(() => new UCH(preset), name).not.toThrow();
    }
    expect(UCH.defaults).toBe(UCH_DEFAULTS);
  });

  it("the paper preset is runnable (one epoch on a tiny set)", async () => {
    const m = new UCH({ ...UCH.presets.paper, epochs: 1, bits: 16 });
    const r = await m.fit(tinySet({ n: 128 }));
    expect(r.history.length).toBe(1);
    expect(Number.isFinite(r.history[0].total)).toBe(true);
    expect(m.encode("image", tinySet({ n: 128 }).image).n).toBe(128);
    m.dispose();
  });

  it("rejects bad values naming the key and the value", () => {
    expect(() => new UCH({ bits: 4 })).toThrow(/bits/);
    expect(() => new UCH({ bits: 2048 })).toThrow(/bits/);
    expect(() => new UCH({ batchSize: 1 })).toThrow(/batchSize.*1/);
    expect(() => new UCH({ commonDim: 2.5 })).toThrow(/commonDim.*2.5/);
    expect(() => new UCH({ lr: 0 })).toThrow(/lr.*0/);
    expect(() => new UCH({ weightSim: -1 })).toThrow(/weightSim.*-1/);
    expect(() => new UCH({ lrGamma: 2 })).toThrow(/lrGamma/);
    expect(() => new UCH({ generatorLoss: "wgan" as never })).toThrow(/generatorLoss.*wgan/);
    expect(() => new UCH({ textActivation: "gelu" as never })).toThrow(/textActivation/);
    // One error class, naming the method, the key, the expectation and the value.
    expect(() => new UCH({ lr: -1 })).toThrow(ConfigError);
    expect(() => new UCH({ lr: -1 })).toThrow("UCH: config.lr must be a number > 0, got -1");
    expect(() => new UCH({ commonDm: 64 } as never)).toThrow(/unknown config key "commonDm"/);
  });

  it("networks before fit or load: the shared not-built guard names the method", () => {
    expect(() => new UCH().networks).toThrow(/UCH: model not built/);
  });
});

describeOnBackends("UCH networks and update steps (spec §10)", () => {
  const cfg: UCHConfig = { ...UCH_DEFAULTS, ...TINY, textEmbedDim: 300 } as UCHConfig;
  const b = 8;

  it("has the spec's shapes: F^I [b,4096], F^T [b,300], Z [b,d_z], H [b,K] in (−1,1)", () => {
    const nets = new UCHNetworks({ image: 4096, text: 1386 }, cfg, createRng(1));
    const v = randn(b, 4096, 2, true);
    const t = randn(b, 1386, 3);
    const o = nets.outer(v, t);
    expect(o.fi.shape).toEqual([b, 4096]);
    expect(o.ft.shape).toEqual([b, 300]);
    expect(o.zi.shape).toEqual([b, cfg.commonDim]);
    expect(o.zt.shape).toEqual([b, cfg.commonDim]);
    expect(o.fakeT.shape).toEqual([b, 300]);
    expect(o.fakeI.shape).toEqual([b, 4096]);
    expect(o.recI.shape).toEqual([b, 4096]);
    expect(o.recT.shape).toEqual([b, 300]);
    const i = nets.inner(o.zi, o.zt);
    for (const h of [i.hi, i.ht]) {
      expect(h.shape).toEqual([b, 16]);
      const d = h.dataSync();
      expect(d.every((x) => x > -1 && x < 1)).toBe(true);
    }
    for (const z of [i.fakeZI, i.fakeZT, i.recZI, i.recZT])
      expect(z.shape).toEqual([b, cfg.commonDim]);
    tf.dispose([v, t, ...Object.values(o), ...Object.values(i)]);
    nets.dispose();
  });

  it("a discriminator step (SGD 1e-3) lowers its BCE and leaves every other parameter bit-identical", () => {
    const nets = new UCHNetworks({ image: 20, text: 30 }, cfg, createRng(4));
    const v = randn(16, 20, 5);
    const t = randn(16, 30, 6);
    for (const [loss, vars] of [
      [() => outerDiscriminatorLoss(nets, v, t), nets.outerDiscriminatorVariables()],
      [() => innerDiscriminatorLoss(nets, v, t), nets.innerDiscriminatorVariables()],
    ] as const) {
      const others = Object.values(nets.namedWeights()).filter((x) => !vars.includes(x));
      const before = snapshot(others);
      const l0 = scalar(loss());
      trainStep(loss, { optimizer: new Sgd({ lr: 1e-3 }), variables: vars });
      expect(scalar(loss())).toBeLessThan(l0);
      expect(snapshot(others)).toEqual(before);
    }
    tf.dispose([v, t]);
    nets.dispose();
  });

  it("a generator step (non-saturating, SGD 1e-3) lowers −mean log D(fake) and leaves discriminators bit-identical", () => {
    const nets = new UCHNetworks({ image: 20, text: 30 }, cfg, createRng(7));
    const v = randn(16, 20, 8);
    const t = randn(16, 30, 9);
    const advOnly = { ...cfg, weightRec: 0, weightSim: 0 };
    const advOuter = () =>
      tf.tidy(() => {
        const o = nets.outer(v, t);
        return tf.add(
          generatorAdversarial(nets.dfI.apply(o.fakeI), "non-saturating"),
          generatorAdversarial(nets.dfT.apply(o.fakeT), "non-saturating"),
        );
      });
    const discs = [...nets.outerDiscriminatorVariables(), ...nets.innerDiscriminatorVariables()];
    const before = snapshot(discs);
    const a0 = advOuter().dataSync()[0];
    trainStep(() => outerGeneratorLoss(nets, v, t, advOnly), {
      optimizer: new Sgd({ lr: 1e-3 }),
      variables: nets.outerGeneratorVariables(),
    });
    expect(advOuter().dataSync()[0]).toBeLessThan(a0);
    // Inner cycle: L_z's adversarial part falls too.
    const z0 = scalar(innerGeneratorLoss(nets, v, t, advOnly));
    trainStep(() => innerGeneratorLoss(nets, v, t, advOnly), {
      optimizer: new Sgd({ lr: 1e-3 }),
      variables: nets.innerGeneratorVariables(),
    });
    expect(scalar(innerGeneratorLoss(nets, v, t, advOnly))).toBeLessThan(z0);
    expect(snapshot(discs)).toEqual(before);
    // The full L_f falls under one step as well.
    const f0 = scalar(outerGeneratorLoss(nets, v, t, cfg));
    trainStep(() => outerGeneratorLoss(nets, v, t, cfg), {
      optimizer: new Sgd({ lr: 1e-3 }),
      variables: nets.outerGeneratorVariables(),
    });
    expect(scalar(outerGeneratorLoss(nets, v, t, cfg))).toBeLessThan(f0);
    tf.dispose([v, t]);
    nets.dispose();
  });

  it("with stop-gradient on Z, L_z has exactly zero gradient for every E and G^f variable", () => {
    const nets = new UCHNetworks(
      { image: 20, text: 30 },
      { ...cfg, imageEncoder: "dense" },
      createRng(10),
    );
    const v = randn(16, 20, 11);
    const t = randn(16, 30, 12);
    const outerVars = nets.outerGeneratorVariables();
    expect(outerVars.length).toBeGreaterThan(8);
    const { value, grads } = tf.variableGrads(
      () => innerGeneratorLoss(nets, v, t, cfg).total,
      outerVars,
    );
    expect(value.dataSync()[0]).toBeGreaterThan(0);
    // An absent entry means no gradient path at all (zero).
    for (const v of outerVars) {
      const g = grads[v.name];
      expect(g === undefined || Array.from(g.dataSync()).every((x) => x === 0)).toBe(true);
    }
    // Control: the same inner-cycle loss without the stop-gradient does reach E and G^f.
    const leaky = tf.variableGrads(() => {
      const o = nets.inner(nets.common("image", v), nets.common("text", t));
      return tf.add(
        tf.mean(tf.square(tf.sub(o.hi, o.ht))),
        tf.mean(tf.square(o.recZI)),
      ) as tf.Scalar;
    }, outerVars);
    const reached = outerVars.filter((x) => {
      const g = leaky.grads[x.name];
      return g !== undefined && Array.from(g.dataSync()).some((y) => y !== 0);
    });
    expect(reached.length).toBeGreaterThan(outerVars.length / 2);
    tf.dispose([leaky.value, ...Object.values(leaky.grads)]);
    // ... while the inner generators do get a gradient.
    const inner = tf.variableGrads(
      () => innerGeneratorLoss(nets, v, t, cfg).total,
      nets.innerGeneratorVariables(),
    );
    const norm = Object.values(inner.grads).reduce(
      (s, g) => s + Array.from(g.dataSync()).reduce((a, x) => a + x * x, 0),
      0,
    );
    expect(norm).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads), inner.value, ...Object.values(inner.grads), v, t]);
    nets.dispose();
  });

  it("VICReg terms (weightVariance, weightCovariance) join L_f on Z and L_z on H only when their weights are > 0", () => {
    const nets = new UCHNetworks({ image: 20, text: 30 }, cfg, createRng(13));
    const v = randn(16, 20, 14);
    const t = randn(16, 30, 15);
    const keys = (c: UCHConfig) => {
      const f = outerGeneratorLoss(nets, v, t, c);
      const z = innerGeneratorLoss(nets, v, t, c);
      const out = {
        f: Object.keys(f.terms).sort(),
        z: Object.keys(z.terms).sort(),
        totals: [f.total.dataSync()[0], z.total.dataSync()[0]],
        parts: [f.terms, z.terms].map((r) =>
          Object.fromEntries(Object.entries(r).map(([k, x]) => [k, x.dataSync()[0]])),
        ),
      };
      tf.dispose([f.total, z.total, ...Object.values(f.terms), ...Object.values(z.terms)]);
      return out;
    };
    const plain = keys(cfg);
    expect(plain.f).not.toContain("fVar");
    expect(plain.z).not.toContain("zCov");
    const vic = keys({ ...cfg, weightVariance: 1, weightCovariance: 0.5 });
    expect(vic.f).toEqual(expect.arrayContaining(["fVar", "fCov"]));
    expect(vic.z).toEqual(expect.arrayContaining(["zVar", "zCov"]));
    // The totals are the faithful ones plus exactly the weighted new terms.
    const [pf, pz] = vic.parts;
    expect(vic.totals[0]).toBeCloseTo(plain.totals[0] + pf.fVar + 0.5 * pf.fCov, 2);
    expect(vic.totals[1]).toBeCloseTo(plain.totals[1] + pz.zVar + 0.5 * pz.zCov, 3);
    // Freshly initialised tanh spaces are far from unit spread, so the floor is active.
    expect(pf.fVar).toBeGreaterThan(0);
    expect(pz.zVar).toBeGreaterThan(0);
    tf.dispose([v, t]);
    nets.dispose();
  });
});

describeOnBackends("UCH fit and encode", () => {
  const data = tinySet({ n: 192 });
  const query: Matrix[] = [data.image, data.text];

  it("epochScaleItems multiplies warm-up and joint epochs by round(items / n), at least 1", async () => {
    const small = tinySet({ n: 64, seed: 5 });
    const phases = new Map<string, number>();
    const etas: number[] = [];
    const m = new UCH({ ...TINY, epochs: 1, warmupEpochs: 1, epochScaleItems: 192 });
    await m.fit(small, {
      onProgress: (e) => {
        phases.set(e.phase, e.epochs);
        etas.push(e.etaSeconds ?? 0);
      },
    });
    expect(phases.get("warmup")).toBe(3);
    expect(phases.get("train")).toBe(3);
    // the ETA counts the scaled epochs: it reaches 0 only at the last of the six
    expect(etas).toHaveLength(6);
    expect(etas.slice(0, -1).every((s) => s > 0)).toBe(true);
    expect(etas[5]).toBe(0);
    const unscaled = new Map<string, number>();
    const u = new UCH({ ...TINY, epochs: 1, epochScaleItems: 32 });
    await u.fit(small, { onProgress: (e) => unscaled.set(e.phase, e.epochs) });
    expect(unscaled.get("train")).toBe(1);
    m.dispose();
    u.dispose();
  });

  it("encoding never touches decoder or discriminator weights; sign maps 0 to +1", async () => {
    const m = new UCH({ ...TINY, epochs: 1 });
    await m.fit(data);
    const before = [m.encode("image", query[0]), m.encode("text", query[1])];
    const nets = m.networks;
    const trainingOnly = [
      nets.gfIT.dec,
      nets.gfTI.dec,
      nets.gzIT.dec,
      nets.gzTI.dec,
      nets.dfI,
      nets.dfT,
      nets.dzI,
      nets.dzT,
    ].flatMap((l) => l.trainableVariables());
    for (const v of trainingOnly) v.assign(tf.randomNormal(v.shape, 0, 3, "float32", 99));
    const after = [m.encode("image", query[0]), m.encode("text", query[1])];
    expect(after[0].words).toEqual(before[0].words);
    expect(after[1].words).toEqual(before[1].words);
    // Zero the hash layers: H = tanh(0) = 0 for every row and bit -> all codes +1.
    for (const g of [nets.gzIT, nets.gzTI]) {
      const last = g.enc.dense[g.enc.dense.length - 1];
      for (const v of last.trainableVariables()) v.assign(tf.zerosLike(v));
    }
    for (const mod of ["image", "text"] as const) {
      const codes = m.encode(mod, mod === "image" ? query[0] : query[1]);
      const bits = unpackCodes(codes);
      expect(bits.every((x) => x === 1)).toBe(true);
    }
    m.dispose();
  });

  it("ignores labels: codes are identical with and without them", async () => {
    const a = new UCH({ ...TINY, epochs: 1 });
    const b = new UCH({ ...TINY, epochs: 1 });
    await a.fit(data);
    await b.fit({ ...data, labels: undefined });
    expect(a.encode("text", data.text).words).toEqual(b.encode("text", data.text).words);
    a.dispose();
    b.dispose();
  });

  it("collapse monitors agree with the codes encode gives for the same rows, and are recorded per epoch", async () => {
    const m = new UCH({ ...TINY, input: "none", epochs: 1 });
    const report = await m.fit(data);
    expect(report.history.at(-1)).toHaveProperty("distinctCodes");
    const rows = 64;
    const v = tf.tensor2d(data.image.data.subarray(0, rows * data.image.cols), [
      rows,
      data.image.cols,
    ]);
    const t = tf.tensor2d(data.text.data.subarray(0, rows * data.text.cols), [
      rows,
      data.text.cols,
    ]);
    const mon = m.monitor(v, t);
    tf.dispose([v, t]);
    const textRows = {
      rows,
      cols: data.text.cols,
      data: data.text.data.subarray(0, rows * data.text.cols),
    };
    const bits = unpackCodes(m.encode("text", textRows));
    const K = TINY.bits ?? 16;
    const distinct = new Set<string>();
    const mean = new Float64Array(K);
    for (let i = 0; i < rows; i++) {
      distinct.add(bits.subarray(i * K, (i + 1) * K).join(""));
      for (let k = 0; k < K; k++) mean[k] += bits[i * K + k] / rows;
    }
    expect(mon.distinctCodes).toBeCloseTo(distinct.size / rows, 6);
    expect(mon.maxBitMean).toBeCloseTo(Math.max(...mean.map(Math.abs)), 5);
    for (const k of ["varFT", "varZ", "varH", "alignZ", "alignH"] as const)
      expect(mon[k], k).toBeGreaterThanOrEqual(0);
    m.dispose();
  });

  it("refuses a one-pair training set with a clear message", async () => {
    const one = tinySet({ n: 1 });
    const m = new UCH({ ...UCH.presets.quick, ...TINY });
    await expect(m.fit(one)).rejects.toThrow(/at least 2 training pairs.*got 1/);
    m.dispose();
  });

  it("rejects wrong widths and NaN at encode time", async () => {
    const m = new UCH({ ...TINY, epochs: 1 });
    await m.fit(data);
    const wrong = {
      rows: 2,
      cols: data.image.cols + 1,
      data: new Float32Array(2 * (data.image.cols + 1)),
    };
    expect(() => m.encode("image", wrong)).toThrow(/width|cols|columns/i);
    const nan = {
      rows: 1,
      cols: data.text.cols,
      data: new Float32Array(data.text.cols).fill(Number.NaN),
    };
    expect(() => m.encode("text", nan)).toThrow(/NaN|finite/i);
    m.dispose();
  });
});

describe("UCH small fit", () => {
  const small = () =>
    synthetic({
      seed: 3,
      nTrain: 512,
      nQuery: 100,
      nDatabase: 512,
      imageDim: 48,
      textDim: 120,
      latentDim: 8,
      hiddenDim: 32,
      labelProbabilities: [0.3, 0.25, 0.2, 0.15, 0.1, 0.1],
      topicWords: 8,
      wordsPerItem: 5,
    });
  const mapAll = (q: BinaryCodes, d: BinaryCodes, ql: LabelMatrix, dl: LabelMatrix) =>
    evaluateRetrieval({
      query: q,
      database: d,
      queryLabels: ql,
      databaseLabels: dl,
      k: ["all"],
      prCurve: false,
    })["mAP@all"];
  const randomCodes = (n: number, bits: number, seed: number) => {
    const rng = createRng(seed);
    const v = new Float32Array(n * bits);
    for (let i = 0; i < v.length; i++) v[i] = rng.uniform() < 0.5 ? -1 : 1;
    return packCodes(v, n, bits, { from: "pm1" });
  };

  it("quick: losses of both cycles fall, codes do not collapse and beat random codes (and the faithful objective's) cross-modally", async () => {
    const { set, split } = small();
    const { train, query, database } = applySplit(set, split);
    const ql = query.labels as NonNullable<typeof query.labels>;
    const dl = database.labels as NonNullable<typeof database.labels>;
    const scores = async (preset: string) => {
      const m = new UCH({ ...UCH.presets[preset], bits: 16, batchSize: 64 });
      const report = await m.fit(train);
      const enc = (mod: "image" | "text", x: typeof query) => m.encode(mod, x[mod]);
      const r = {
        report,
        model: m,
        i2t: mapAll(enc("image", query), enc("text", database), ql, dl),
        t2i: mapAll(enc("text", query), enc("image", database), ql, dl),
      };
      return r;
    };
    const q = await scores("quick");
    const first = q.report.history[0];
    const last = q.report.history[q.report.history.length - 1];
    expect(last.Lf).toBeLessThan(first.Lf);
    expect(last["Lf.fRec"] + last["Lf.fSim"]).toBeLessThan(first["Lf.fRec"] + first["Lf.fSim"]);
    expect(last["Lz.zSim"] + last["Lz.zVar"]).toBeLessThan(first["Lz.zSim"] + first["Lz.zVar"]);
    // No collapse: many distinct codes and no constant bit, in both modalities.
    for (const mod of ["image", "text"] as const) {
      const codes = q.model.encode(mod, database[mod]);
      const bits = unpackCodes(codes);
      const distinct = new Set<string>();
      let worst = 0;
      for (let i = 0; i < codes.n; i++) distinct.add(bits.subarray(i * 16, (i + 1) * 16).join(""));
      for (let k = 0; k < 16; k++) {
        let s = 0;
        for (let i = 0; i < codes.n; i++) s += bits[i * 16 + k];
        worst = Math.max(worst, Math.abs(s / codes.n));
      }
      expect(distinct.size / codes.n, mod).toBeGreaterThan(0.3);
      expect(worst, mod).toBeLessThan(0.9);
    }
    q.model.dispose();
    const random = mapAll(
      randomCodes(query.image.rows, 16, 1),
      randomCodes(database.image.rows, 16, 2),
      ql,
      dl,
    );
    const f = await scores("quick-faithful");
    f.model.dispose();
    console.log(
      `small fit mAP@all i2t/t2i: quick ${q.i2t.toFixed(3)}/${q.t2i.toFixed(3)}, faithful ${f.i2t.toFixed(3)}/${f.t2i.toFixed(3)}, random ${random.toFixed(3)}`,
    );
    expect(q.i2t).toBeGreaterThan(random + 0.05);
    expect(q.t2i).toBeGreaterThan(random + 0.05);
    expect(q.i2t + q.t2i).toBeGreaterThan(f.i2t + f.t2i);
  });

  it("bit centring gives more distinct codes than the faithful B = sign(H) on the same budget", async () => {
    const data = tinySet({ n: 256 });
    const m = new UCH({ ...UCH.presets["quick-faithful"], ...TINY, epochs: 4 });
    await m.fit(data);
    const codes = m.encode("text", data.text);
    const bits = unpackCodes(codes);
    const distinct = new Set<string>();
    for (let i = 0; i < codes.n; i++) distinct.add(bits.subarray(i * 16, (i + 1) * 16).join(""));
    const centred = new UCH({ ...UCH.presets["quick-centred"], ...TINY, epochs: 4 });
    await centred.fit(data);
    const cb = unpackCodes(centred.encode("text", data.text));
    const cd = new Set<string>();
    for (let i = 0; i < codes.n; i++) cd.add(cb.subarray(i * 16, (i + 1) * 16).join(""));
    console.log(`distinct text codes: faithful ${distinct.size}, centred ${cd.size} of ${codes.n}`);
    expect(cd.size).toBeGreaterThan(distinct.size);
    m.dispose();
    centred.dispose();
  });
});
