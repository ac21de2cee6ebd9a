import { describe, expect, it } from "vitest";
import {
  type ApAtKVariant,
  evaluateRetrieval,
  meanAveragePrecision,
  type RetrievalMetrics,
  type TopK,
  type ZeroRelevanceRule,
} from "./index";
import { fromBitRows, randomCodes, randomMultiHot, rng } from "./test-helpers";

// ---------------------------------------------------------------------------------------------
// A deliberately naive reference: bit-by-bit distances, label-by-label relevance, a full
// comparison sort (distance, then database index), float64 sums, one metric at a time.
// ---------------------------------------------------------------------------------------------

interface NaiveOptions {
  ks: TopK[];
  pAtN: number[];
  radius: number;
  apAtK: ApAtKVariant;
  zeroRelevance: ZeroRelevanceRule;
}

function naiveEvaluate(
  qBits: Uint8Array[],
  dBits: Uint8Array[],
  bits: number,
  qLab: { cols: number; data: ArrayLike<number> },
  dLab: { cols: number; data: ArrayLike<number> },
  o: NaiveOptions,
) {
  const N = dBits.length;
  const L = qLab.cols;
  const apK = new Map<TopK, number[]>(o.ks.map((k) => [k, []]));
  const pn: number[][] = o.pAtN.map(() => []);
  const rn: number[][] = o.pAtN.map(() => []);
  const pr: number[] = [];
  const prP: number[][] = Array.from({ length: bits + 1 }, () => []);
  const prR: number[][] = Array.from({ length: bits + 1 }, () => []);
  const ret: number[] = new Array(bits + 1).fill(0);
  const relret: number[] = new Array(bits + 1).fill(0);
  let totalR = 0;
  let allR = 0;
  let zero = 0;
  let empty = 0;
  const perAp: number[] = [];
  for (let q = 0; q < qBits.length; q++) {
    const dist: number[] = [];
    const rel: boolean[] = [];
    for (let j = 0; j < N; j++) {
      let d = 0;
      for (let i = 0; i < bits; i++) if (qBits[q][i] !== dBits[j][i]) d++;
      dist.push(d);
      let shares = false;
      for (let c = 0; c < L; c++) {
        if (qLab.data[q * L + c] === 1 && dLab.data[j * L + c] === 1) shares = true;
      }
      rel.push(shares);
    }
    const order = Array.from({ length: N }, (_, j) => j);
    order.sort((a, b) => dist[a] - dist[b] || a - b);
    const R = rel.filter(Boolean).length;
    allR += R;
    let ap = 0;
    if (R > 0) {
      let hits = 0;
      for (let i = 0; i < N; i++) {
        if (rel[order[i]]) {
          hits++;
          ap += hits / (i + 1);
        }
      }
      ap /= R;
    }
    perAp.push(ap);
    if (R === 0) {
      zero++;
      if (o.zeroRelevance === "exclude") continue;
    }
    for (const k of o.ks) {
      const kk = k === "all" ? N : Math.min(k, N);
      let v = 0;
      if (o.apAtK === "relevant-in-top-k") {
        let hits = 0;
        let s = 0;
        for (let i = 0; i < kk; i++) {
          if (rel[order[i]]) {
            hits++;
            s += hits / (i + 1);
          }
        }
        v = hits > 0 ? s / hits : 0;
      } else {
        const m = Math.min(kk, R);
        let hits = 0;
        let s = 0;
        for (let i = 0; i < N && hits < m; i++) {
          if (rel[order[i]]) {
            hits++;
            s += hits / (i + 1);
          }
        }
        v = m > 0 ? s / m : 0;
      }
      apK.get(k)!.push(v);
    }
    o.pAtN.forEach((n, t) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (rel[order[i]]) hits++;
      pn[t].push(hits / n);
      rn[t].push(R > 0 ? hits / R : 0);
    });
    for (let r = 0; r <= bits; r++) {
      let got = 0;
      let good = 0;
      for (let j = 0; j < N; j++) {
        if (dist[j] <= r) {
          got++;
          if (rel[j]) good++;
        }
      }
      prP[r].push(got > 0 ? good / got : 0);
      prR[r].push(R > 0 ? good / R : 0);
      ret[r] += got;
      relret[r] += good;
    }
    totalR += R;
    let got = 0;
    let good = 0;
    for (let j = 0; j < N; j++) {
      if (dist[j] <= o.radius) {
        got++;
        if (rel[j]) good++;
      }
    }
    if (got === 0) empty++;
    pr.push(got > 0 ? good / got : 0);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    zero,
    empty,
    averaged: pr.length,
    rate: allR / (qBits.length * N),
    mapK: new Map([...apK].map(([k, v]) => [k, mean(v)])),
    pn: pn.map(mean),
    rn: rn.map(mean),
    pr: mean(pr),
    prP: prP.map(mean),
    prR: prR.map(mean),
    prPMicro: ret.map((g, r) => (g > 0 ? relret[r] / g : 0)),
    prRMicro: relret.map((g) => (totalR > 0 ? g / totalR : 0)),
    perAp,
  };
}

function expectClose(a: number[], b: number[], what: string) {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i] - b[i]) > 1e-9) {
      throw new Error(`${what}[${i}]: got ${a[i]}, naive ${b[i]}`);
    }
  }
}

function compareWithNaive(
  got: RetrievalMetrics,
  want: ReturnType<typeof naiveEvaluate>,
  o: NaiveOptions,
  tag: string,
) {
  expect(got.zeroRelevanceQueries, tag).toBe(want.zero);
  expect(got.averagedQueries, tag).toBe(want.averaged);
  expect(got.emptyRadiusQueries, tag).toBe(want.empty);
  expectClose([got.relevantPairRate], [want.rate], `${tag} rate`);
  for (const k of o.ks) {
    expectClose([got[`mAP@${k}`]], [want.mapK.get(k)!], `${tag} mAP@${k}`);
  }
  expect(got["P@N"].N).toEqual(o.pAtN);
  expectClose(got["P@N"].precision, want.pn, `${tag} P@N`);
  expectClose(got["P@N"].recall, want.rn, `${tag} R@N`);
  expectClose([got[`P@r${o.radius}`]], [want.pr], `${tag} P@r`);
  expectClose(got.PR!.precision, want.prP, `${tag} PR precision`);
  expectClose(got.PR!.recall, want.prR, `${tag} PR recall`);
  expectClose(got.PR!.precisionMicro, want.prPMicro, `${tag} PR precisionMicro`);
  expectClose(got.PR!.recallMicro, want.prRMicro, `${tag} PR recallMicro`);
  expectClose(got.perQuery!["AP@all"], want.perAp, `${tag} per-query AP`);
}

describe("evaluateRetrieval vs a naive reference", () => {
  const bitChoices = [8, 13, 32, 33, 64, 128];
  it("agrees to 1e-9 on random data (seeds x sizes x bit lengths x label counts x tie levels)", () => {
    let cases = 0;
    for (let seed = 1; seed <= 48; seed++) {
      const r = rng(seed);
      const bits = bitChoices[seed % bitChoices.length];
      const N = [1, 7, 60, 250][seed % 4];
      const Q = [1, 9, 25][seed % 3];
      const L = [1, 5, 24, 40][Math.floor(seed / 3) % 4];
      const density = [0.05, 0.15, 0.4][seed % 3];
      const pool = [undefined, 2, 5, 30][Math.floor(seed / 2) % 4];
      const flip = pool && seed % 5 === 0 ? 0.03 : 0;
      const db = randomCodes(r, N, bits, pool, flip);
      const qs =
        seed % 7 === 0
          ? fromBitRows(db.bitRows.slice(0, Q), bits)
          : randomCodes(r, Q, bits, pool, flip);
      const nq = qs.codes.n;
      const qLab = randomMultiHot(r, nq, L, density);
      const dLab = randomMultiHot(r, N, L, density);
      const ks: TopK[] = ["all", 1, Math.max(1, Math.floor(N / 3)), 50, N + 3];
      const pAtN = [...new Set([1, Math.max(1, Math.floor(N / 2)), N])];
      const radius = Math.floor(r() * (bits + 3));
      for (const apAtK of ["relevant-in-top-k", "djsrh"] as const) {
        for (const zeroRelevance of ["include", "exclude"] as const) {
          const o: NaiveOptions = { ks: [...new Set(ks)], pAtN, radius, apAtK, zeroRelevance };
          const got = evaluateRetrieval({
            query: qs.codes,
            database: db.codes,
            queryLabels: qLab,
            databaseLabels: dLab,
            k: o.ks,
            precisionAtN: pAtN,
            radius,
            apAtK,
            zeroRelevance,
            perQuery: true,
          });
          const want = naiveEvaluate(qs.bitRows, db.bitRows, bits, qLab, dLab, o);
          compareWithNaive(
            got,
            want,
            o,
            `seed ${seed} bits ${bits} N ${N} ${apAtK} ${zeroRelevance}`,
          );
          cases++;
        }
      }
    }
    expect(cases).toBe(48 * 4);
  });

  it("agrees with the naive reference when every code is identical (pure tie-break by index)", () => {
    const r = rng(99);
    const db = randomCodes(r, 40, 16, 1);
    const qs = randomCodes(r, 6, 16, 1);
    const qLab = randomMultiHot(r, 6, 3, 0.4);
    const dLab = randomMultiHot(r, 40, 3, 0.4);
    const o: NaiveOptions = {
      ks: ["all", 5, 20],
      pAtN: [1, 10, 40],
      radius: 2,
      apAtK: "relevant-in-top-k",
      zeroRelevance: "include",
    };
    const got = evaluateRetrieval({
      query: qs.codes,
      database: db.codes,
      queryLabels: qLab,
      databaseLabels: dLab,
      k: o.ks,
      precisionAtN: o.pAtN,
      perQuery: true,
    });
    compareWithNaive(got, naiveEvaluate(qs.bitRows, db.bitRows, 16, qLab, dLab, o), o, "all tied");
  });
});

describe("hand-checked cases", () => {
  it("PR by radius: pooled precision and recall leave empty balls out, and their share is given", () => {
    // 2 varying bits of 8. Queries A = 00 (class 0), B = 11 (class 1), C = 10 (class 0);
    // database 00 (0), 01 (1), 11 (0), 11 (1). Each query has R = 2 relevant items.
    const bits = (a: number, b: number) => Uint8Array.from([a, b, 0, 0, 0, 0, 0, 0]);
    const q = fromBitRows([bits(0, 0), bits(1, 1), bits(1, 0)], 8);
    const db = fromBitRows([bits(0, 0), bits(0, 1), bits(1, 1), bits(1, 1)], 8);
    const m = evaluateRetrieval({
      query: q.codes,
      database: db.codes,
      queryLabels: [0, 1, 0],
      databaseLabels: [0, 1, 0, 1],
    });
    const pr = m.PR!;
    // r = 0: A gets 1 of 1 relevant, B 1 of 2, C nothing (empty ball): pooled 2/3, recall 2/6
    // r = 1: A 1 of 2, B 2 of 3, C 2 of 3: pooled 5/8, recall 5/6;  r = 2: everything, 6/12, 1
    expect(pr.precisionMicro.slice(0, 3)).toEqual([2 / 3, 5 / 8, 1 / 2]);
    expect(pr.recallMicro.slice(0, 3)).toEqual([2 / 6, 5 / 6, 1]);
    expect(pr.emptyShare.slice(0, 3)).toEqual([1 / 3, 0, 0]);
    // the macro curve counts C's empty ball as precision 0: (1 + 1/2 + 0) / 3
    expect(pr.precision[0]).toBeCloseTo(1 / 2, 12);
  });

  it("breaks ties by database index: relevance [0,1,0,1] at one distance gives AP 1/2", () => {
    const db = fromBitRows(
      [0, 1, 2, 3].map(() => new Uint8Array(8)),
      8,
    );
    const q = fromBitRows([new Uint8Array(8)], 8);
    const m = evaluateRetrieval({
      query: q.codes,
      database: db.codes,
      queryLabels: [1],
      databaseLabels: [0, 1, 0, 1],
      k: ["all", 2],
      precisionAtN: [1, 2, 4],
    });
    expect(m["mAP@all"]).toBeCloseTo((1 / 2 + 2 / 4) / 2, 12);
    expect(m["mAP@2"]).toBeCloseTo(1 / 2, 12);
    expect(m["P@N"].precision).toEqual([0, 0.5, 0.5]);
  });

  it("counts 8 for a byte whose 8 bits all differ (the saturating-lookup bug gives 7)", () => {
    // Item 0 differs from the query in all 8 bits of byte 0; item 1 in 7 bits of byte 1.
    const query = new Uint8Array(32);
    const full = new Uint8Array(32);
    for (let i = 0; i < 8; i++) full[i] = 1;
    const seven = new Uint8Array(32);
    for (let i = 8; i < 15; i++) seven[i] = 1;
    const db = fromBitRows([full, seven], 32);
    const q = fromBitRows([query], 32);
    const m = evaluateRetrieval({
      query: q.codes,
      database: db.codes,
      queryLabels: [1],
      databaseLabels: [1, 2],
      precisionAtN: [1],
      perQuery: true,
    });
    // Correct distances 8 and 7: the relevant item 0 ranks second, AP = 1/2 (a count of 7 would
    // tie it with item 1 and the index tie-break would give AP = 1).
    expect(m["mAP@all"]).toBe(0.5);
    expect(m["P@N"].precision).toEqual([0]);
    expect(m.PR!.meanRetrieved[6]).toBe(0);
    expect(m.PR!.meanRetrieved[7]).toBe(1);
    expect(m.PR!.meanRetrieved[8]).toBe(2);
    // A 64-bit code against its complement: every byte differs in all 8 bits.
    const ones = new Uint8Array(64).fill(1);
    const far = evaluateRetrieval({
      query: fromBitRows([new Uint8Array(64)], 64).codes,
      database: fromBitRows([ones], 64).codes,
      queryLabels: [1],
      databaseLabels: [1],
      precisionAtN: [1],
    });
    expect(far.PR!.meanRetrieved[63]).toBe(0);
    expect(far.PR!.meanRetrieved[64]).toBe(1);
  });

  it("precision within radius counts an empty ball as 0 and reports how many were empty", () => {
    const z = new Uint8Array(16);
    const far = new Uint8Array(16).fill(1);
    const db = fromBitRows([z, far], 16);
    const q = fromBitRows([z, far.map((_, i) => (i < 8 ? 1 : 0))], 16);
    const m = evaluateRetrieval({
      query: q.codes,
      database: db.codes,
      queryLabels: [1, 1],
      databaseLabels: [1, 1],
      precisionAtN: [1],
    });
    // Query 0 retrieves item 0 (relevant) at distance 0: precision 1. Query 1 is 8 from both.
    expect(m.emptyRadiusQueries).toBe(1);
    expect(m["P@r2"]).toBe(0.5);
  });

  it("counts zero-relevance queries and applies the include / exclude rule", () => {
    const r = rng(5);
    const db = randomCodes(r, 30, 16);
    const qs = randomCodes(r, 4, 16);
    const base = {
      query: qs.codes,
      database: db.codes,
      queryLabels: [1, 2, 9, 9],
      databaseLabels: Array.from({ length: 30 }, (_, j) => 1 + (j % 3)),
    };
    const inc = evaluateRetrieval({ ...base, k: ["all", 10] });
    const exc = evaluateRetrieval({ ...base, k: ["all", 10], zeroRelevance: "exclude" });
    expect(inc.zeroRelevanceQueries).toBe(2);
    expect(exc.zeroRelevanceQueries).toBe(2);
    expect(inc.averagedQueries).toBe(4);
    expect(exc.averagedQueries).toBe(2);
    expect(inc["mAP@all"]).toBeGreaterThan(0);
    expect(inc["mAP@all"]).toBeCloseTo(exc["mAP@all"] / 2, 12);
    expect(inc["mAP@10"]).toBeCloseTo(exc["mAP@10"] / 2, 12);
    expect(inc.variants.zeroRelevance).toBe("include");
    expect(exc.variants.zeroRelevance).toBe("exclude");
  });

  it("relevance by shared label: single-label class ids equal their one-hot rows", () => {
    const r = rng(11);
    const db = randomCodes(r, 80, 24, 6);
    const qs = randomCodes(r, 12, 24, 6);
    const dIds = Array.from({ length: 80 }, () => 3 + Math.floor(r() * 7) * 10);
    const qIds = Array.from({ length: 12 }, () => 3 + Math.floor(r() * 7) * 10);
    const ids = [...new Set([...dIds, ...qIds])].sort((a, b) => a - b);
    const oneHot = (xs: number[]) => {
      const data = new Uint8Array(xs.length * ids.length);
      xs.forEach((x, i) => {
        data[i * ids.length + ids.indexOf(x)] = 1;
      });
      return { rows: xs.length, cols: ids.length, data };
    };
    const opts = { k: ["all", 10] as TopK[], tieAware: true, perQuery: true };
    const a = evaluateRetrieval({
      query: qs.codes,
      database: db.codes,
      queryLabels: Int32Array.from(qIds),
      databaseLabels: dIds,
      ...opts,
    });
    const b = evaluateRetrieval({
      query: qs.codes,
      database: db.codes,
      queryLabels: oneHot(qIds),
      databaseLabels: oneHot(dIds),
      ...opts,
    });
    expect(a).toEqual(b);
  });

  it("meanAveragePrecision equals the mAP of evaluateRetrieval", () => {
    const r = rng(12);
    const input = {
      query: randomCodes(r, 10, 32).codes,
      database: randomCodes(r, 100, 32).codes,
      queryLabels: randomMultiHot(r, 10, 6, 0.3),
      databaseLabels: randomMultiHot(r, 100, 6, 0.3),
    };
    const full = evaluateRetrieval({ ...input, k: ["all", 20] });
    expect(meanAveragePrecision(input)).toBe(full["mAP@all"]);
    expect(meanAveragePrecision(input, 20)).toBe(full["mAP@20"]);
  });

  it("treats a finite k at or above the database size as all", () => {
    const r = rng(13);
    const input = {
      query: randomCodes(r, 5, 16, 4).codes,
      database: randomCodes(r, 20, 16, 4).codes,
      queryLabels: randomMultiHot(r, 5, 4, 0.3),
      databaseLabels: randomMultiHot(r, 20, 4, 0.3),
    };
    for (const apAtK of ["relevant-in-top-k", "djsrh"] as const) {
      const m = evaluateRetrieval({ ...input, k: ["all", 20, 1000], apAtK });
      expect(m["mAP@20"]).toBeCloseTo(m["mAP@all"], 12);
      expect(m["mAP@1000"]).toBeCloseTo(m["mAP@all"], 12);
    }
  });
});

describe("tie-aware variant (McSherry & Najork 2008)", () => {
  // Expected AP and P@N over every order of the tied items, by enumeration.
  function permutations(xs: number[]): number[][] {
    if (xs.length <= 1) return [xs.slice()];
    const out: number[][] = [];
    xs.forEach((x, i) => {
      for (const p of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...p]);
    });
    return out;
  }
  function bruteTieAware(dist: number[], rel: boolean[], pAtN: number[]) {
    const groups = [...new Set(dist)]
      .sort((a, b) => a - b)
      .map((d) => {
        return dist.map((x, j) => (x === d ? j : -1)).filter((j) => j >= 0);
      });
    let orders: number[][] = [[]];
    for (const g of groups) {
      const next: number[][] = [];
      for (const o of orders) for (const p of permutations(g)) next.push([...o, ...p]);
      orders = next;
    }
    const R = rel.filter(Boolean).length;
    let ap = 0;
    const pn = pAtN.map(() => 0);
    for (const o of orders) {
      let hits = 0;
      let s = 0;
      o.forEach((j, i) => {
        if (rel[j]) {
          hits++;
          s += hits / (i + 1);
        }
      });
      ap += R > 0 ? s / R : 0;
      pAtN.forEach((n, t) => {
        pn[t] += o.slice(0, n).filter((j) => rel[j]).length / n;
      });
    }
    return { ap: ap / orders.length, pn: pn.map((x) => x / orders.length) };
  }

  it("equals the average over all tied orders (enumerated) on small random cases", () => {
    for (let seed = 1; seed <= 25; seed++) {
      const r = rng(1000 + seed);
      const N = 3 + (seed % 6);
      const db = randomCodes(r, N, 8, 2 + (seed % 3));
      const q = randomCodes(r, 1, 8, 1);
      const qLab = randomMultiHot(r, 1, 3, 0.6);
      const dLab = randomMultiHot(r, N, 3, 0.4);
      const pAtN = [1, Math.ceil(N / 2), N];
      const m = evaluateRetrieval({
        query: q.codes,
        database: db.codes,
        queryLabels: qLab,
        databaseLabels: dLab,
        precisionAtN: [...new Set(pAtN)],
        tieAware: true,
      });
      const dist = db.bitRows.map((row) =>
        row.reduce((a, b, i) => a + (b !== q.bitRows[0][i] ? 1 : 0), 0),
      );
      const rel = db.bitRows.map((_, j) =>
        [0, 1, 2].some((c) => qLab.data[c] === 1 && dLab.data[j * 3 + c] === 1),
      );
      const want = bruteTieAware(dist, rel, [...new Set(pAtN)]);
      expect(Math.abs(m.tieAware!["mAP@all"] - want.ap)).toBeLessThan(1e-12);
      expectClose(m.tieAware!["P@N"], want.pn, `seed ${seed} tie-aware P@N`);
      expect(m.variants.tieAware).toBe("mcsherry-najork-2008");
    }
  });

  it("equals the plain AP when no two items tie", () => {
    // Distinct distances 0..8 from the zero query: item j has its lowest j bits set.
    const rows = Array.from({ length: 9 }, (_, j) =>
      Uint8Array.from({ length: 8 }, (_, i) => (i < j ? 1 : 0)),
    );
    const m = evaluateRetrieval({
      query: fromBitRows([new Uint8Array(8)], 8).codes,
      database: fromBitRows(rows.reverse(), 8).codes,
      queryLabels: [1],
      databaseLabels: [1, 0, 1, 1, 0, 0, 1, 0, 1],
      tieAware: true,
    });
    expect(m.tieAware!["mAP@all"]).toBeCloseTo(m["mAP@all"], 14);
    expect(m.tieAware!["P@N"]).toEqual(m["P@N"].precision);
  });
});

describe("bad input", () => {
  const r = rng(3);
  const q = randomCodes(r, 3, 16).codes;
  const db = randomCodes(r, 10, 16).codes;
  const ok = {
    query: q,
    database: db,
    queryLabels: [1, 2, 3],
    databaseLabels: new Array(10).fill(1),
  };
  it("rejects k = -1, 0, 2.5 and unknown strings", () => {
    for (const k of [-1, 0, 2.5, "top"]) {
      expect(() => evaluateRetrieval({ ...ok, k: k as TopK })).toThrow(
        /k must be a positive integer or "all"/,
      );
    }
  });
  it("rejects mismatched bit lengths, label rows and label shapes", () => {
    expect(() => evaluateRetrieval({ ...ok, database: randomCodes(r, 10, 32).codes })).toThrow(
      /bit length mismatch: query has 16 bits, database has 32/,
    );
    expect(() => evaluateRetrieval({ ...ok, queryLabels: [1, 2] })).toThrow(
      /query has 3 codes but queryLabels has 2 rows/,
    );
    expect(() =>
      evaluateRetrieval({ ...ok, queryLabels: { rows: 3, cols: 2, data: new Uint8Array(6) } }),
    ).toThrow(/same shape/);
    expect(() =>
      evaluateRetrieval({
        ...ok,
        queryLabels: { rows: 3, cols: 1, data: [1, 2, 1] },
        databaseLabels: { rows: 10, cols: 1, data: new Array(10).fill(1) },
      }),
    ).toThrow(/multi-hot \(0 or 1\), got 2 at row 1, column 0.*class ids pass a 1-D array/);
    expect(() =>
      evaluateRetrieval({
        ...ok,
        queryLabels: { rows: 3, cols: 4, data: new Uint8Array(12) },
        databaseLabels: { rows: 10, cols: 5, data: new Uint8Array(50) },
      }),
    ).toThrow(/label count mismatch: queryLabels has 4 columns, databaseLabels has 5/);
    expect(() => evaluateRetrieval({ ...ok, queryLabels: [1, 2.5, 3] })).toThrow(
      /class ids must be integers, got 2.5 at index 1/,
    );
    expect(() => evaluateRetrieval({ ...ok, queryLabels: "abc" as unknown as number[] })).toThrow(
      /class ids/,
    );
  });
  it("rejects codes with bits set above the code length (they would distort distances)", () => {
    const bad = { n: 1, bits: 13, words: Uint32Array.of(1 << 20) };
    expect(() =>
      evaluateRetrieval({
        query: bad,
        database: { n: 1, bits: 13, words: Uint32Array.of(1) },
        queryLabels: [1],
        databaseLabels: [1],
      }),
    ).toThrow(/query: code 0 has padding bits set above bit 13/);
  });
  it("rejects P@N cut-offs beyond the database, bad radius, bad variants, empty sets", () => {
    expect(() => evaluateRetrieval({ ...ok, precisionAtN: [11] })).toThrow(
      /database size 10, got 11/,
    );
    expect(() => evaluateRetrieval({ ...ok, radius: -1 })).toThrow(
      /radius must be a non-negative integer/,
    );
    expect(() => evaluateRetrieval({ ...ok, apAtK: "x" as ApAtKVariant })).toThrow(/apAtK must be/);
    expect(() => evaluateRetrieval({ ...ok, zeroRelevance: "skip" as ZeroRelevanceRule })).toThrow(
      /zeroRelevance must be/,
    );
    expect(() =>
      evaluateRetrieval({
        ...ok,
        database: { n: 0, bits: 16, words: new Uint32Array(0) },
        databaseLabels: [],
      }),
    ).toThrow(/database is empty/);
    expect(() =>
      evaluateRetrieval({ ...ok, query: { n: 3, bits: 16, words: new Uint32Array(2) } }),
    ).toThrow(/query.words has 2 words, expected/);
  });
});
