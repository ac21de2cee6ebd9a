import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KNOWN_FILES } from "@cmh/datasets";
import { sharedDataPath } from "@cmh/testing";
import { describe, expect, it } from "vitest";
import {
  checkDataset,
  loadDataset,
  primeDatasetCache,
  protocolOf,
  queriesWithoutRelevant,
  validateDatasetSpec,
  writeDatasetCache,
} from "./dataset";
import { UsageError } from "./errors";

describe("dataset specs", () => {
  it("knows the generated sets and the real datasets' default protocols", () => {
    expect(protocolOf({ name: "synthetic-default" })?.name).toBe("synthetic-default");
    expect(protocolOf({ name: "mirflickr25k" })?.name).toBe("mirflickr25k-5k");
    expect(protocolOf({ name: "mirflickr25k", protocol: "mirflickr25k-10k" })?.name).toBe(
      "mirflickr25k-10k",
    );
    expect(protocolOf({ name: "my-data" })).toBeUndefined();
    expect(() => protocolOf({ name: "x", protocol: "nope" })).toThrow('Unknown protocol "nope"');
  });

  it("asks for --data for real data, and refuses it for generated data", () => {
    expect(() => validateDatasetSpec({ name: "mirflickr25k" })).toThrow(/--data <path> is needed/);
    expect(() => validateDatasetSpec({ name: "synthetic-small", data: "." })).toThrow(
      /--data is not used/,
    );
    expect(() => validateDatasetSpec({ name: "wiki", data: join("no", "such", "dir") })).toThrow(
      /does not exist/,
    );
  });

  it("splits the generated set by seed and records its identity", async () => {
    const a = await loadDataset({ name: "synthetic-small" }, 0);
    const b = await loadDataset({ name: "synthetic-small" }, 1);
    expect(a.set).toBe(b.set); // generated once per process
    expect(a.identity).toMatchObject({
      dataset: "synthetic-small",
      synthetic: true,
      protocol: "synthetic-small",
      splitSeed: 0,
      nItems: 2000,
      nQuery: 200,
      nTrain: 1000,
      nDatabase: 1800,
      imageDim: 512,
      textDim: 1386,
      numLabels: 24,
      files: [],
    });
    expect(a.identity.splitHash).not.toBe(b.identity.splitHash);
  });
});

const uci = sharedDataPath("uci-mfeat");
describe.skipIf(!uci)("real data (shared/data/uci-mfeat)", () => {
  it("reads the I_tr/... .mat file with its fixed split and hashes it", async () => {
    const d = await loadDataset({ name: "uci-mfeat", data: join(uci as string, "uci_all.mat") }, 5);
    expect(d.identity).toMatchObject({
      dataset: "uci-mfeat",
      synthetic: false,
      protocol: "uci-mfeat",
      nItems: 2000,
      nTrain: 1500,
      nQuery: 500,
      nDatabase: 1500,
    });
    expect(d.identity.files).toEqual([
      {
        name: "uci_all.mat",
        bytes: expect.any(Number),
        sha256: KNOWN_FILES["uci_all.mat"].sha256,
      },
    ]);
  });

  it("reads the same layout from a CSV folder, hashing only the files it read", async () => {
    const d = await loadDataset({ name: "uci-csv", data: join(uci as string, "csv") }, 0);
    expect(d.identity.nTrain).toBe(1500);
    expect(d.identity.nQuery).toBe(500);
    expect(d.identity.files.map((f) => f.name)).toEqual([
      "I_te.csv",
      "I_tr.csv",
      "L_te.csv",
      "L_tr.csv",
      "T_te.csv",
      "T_tr.csv",
    ]);
  });
});

describe("synthetic-val", () => {
  it("draws synthetic-val from another generator seed than synthetic-default", async () => {
    const val = await loadDataset({ name: "synthetic-val" }, 0);
    expect(val.identity.generator).toMatchObject({ seed: 1 });
    expect(val.identity.protocol).toBe("synthetic-val");
    const def = await loadDataset({ name: "synthetic-default" }, 0);
    expect(def.identity.generator).toMatchObject({ seed: 0 });
    let same = 0;
    for (let i = 0; i < 1000; i++) if (def.set.image.data[i] === val.set.image.data[i]) same++;
    expect(same).toBeLessThan(900); // ReLU zeros coincide, the rest must not
  }, 300_000); // two 10,000-item generated sets: seconds on a quiet machine, minutes on a busy one
});

describe("dataset cache for cell processes", () => {
  it("round-trips a set and its identity, and refuses another spec or a cut file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cmh-cache-test-"));
    try {
      const spec = { name: "synthetic-small" };
      const before = await loadDataset(spec, 2);
      const file = await writeDatasetCache(spec, join(dir, "d.bin"));
      primeDatasetCache(spec, file);
      const after = await loadDataset(spec, 2);
      expect(after.set).not.toBe(before.set); // really read back from the file
      expect(after.identity).toEqual(before.identity);
      // Byte comparison: toEqual walks a million floats one by one (a minute on a busy machine).
      const bytes = (a?: ArrayBufferView) =>
        a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.alloc(0);
      expect(bytes(after.set.image.data).equals(bytes(before.set.image.data))).toBe(true);
      expect(bytes(after.set.text.data).equals(bytes(before.set.text.data))).toBe(true);
      expect(after.set.labels?.data.length).toBe(before.set.labels?.data.length);
      expect(bytes(after.set.labels?.data).equals(bytes(before.set.labels?.data))).toBe(true);
      expect(after.set.synthetic).toBe(true);
      expect(() => primeDatasetCache({ name: "synthetic-default" }, file)).toThrow(
        /caches dataset/,
      );
      const cut = join(dir, "cut.bin");
      writeFileSync(cut, readFileSync(file).subarray(0, 5000));
      expect(() => primeDatasetCache(spec, cut)).toThrow(/truncated|corrupt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe("dataset check", () => {
  const labels = (rows: number[][]) => ({
    rows: rows.length,
    cols: rows[0].length,
    data: Uint8Array.from(rows.flat()),
  });
  const m = { rows: 5, cols: 1, data: new Float32Array(5) };
  it("counts queries sharing no label with any database item (known answer)", () => {
    const set = {
      name: "t",
      image: m,
      text: m,
      labels: labels([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [1, 0, 1],
        [0, 1, 0],
      ]),
    };
    // database holds classes 0 and 2 (items 0, 3); queries 1, 2, 4: only query 2 (class 2) has one
    expect(queriesWithoutRelevant(set, { query: [1, 2, 4], database: [0, 3] })).toEqual({
      queries: 3,
      withoutRelevant: 2,
    });
    expect(
      queriesWithoutRelevant({ ...set, labels: undefined }, { query: [1], database: [0] }),
    ).toBe(undefined);
  });
  it("refuses a dataset whose queries all lack a relevant item, and reports a few", async () => {
    const d = mkdtempSync(join(tmpdir(), "cmh-check-"));
    const w = (f: string, rows: number[][]) =>
      writeFileSync(join(d, f), `${rows.map((r) => r.join(",")).join("\n")}\n`);
    const feats = (n: number) => Array.from({ length: n }, (_, i) => [i % 5, (i * 3) % 7]);
    w("I_tr.csv", feats(12));
    w("T_tr.csv", feats(12));
    w("I_te.csv", feats(6));
    w("T_te.csv", feats(6));
    w(
      "L_tr.csv",
      Array.from({ length: 12 }, (_, i) => [-1 - (i % 3)]),
    );
    w(
      "L_te.csv",
      Array.from({ length: 6 }, (_, i) => [1 + (i % 3)]),
    );
    const err = await checkDataset({ name: "disjoint", data: d }, [0]).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/6 of 6 queries \(split seed 0\) share no label/);
    // one query class missing from the database: counted and logged, not refused
    w(
      "L_tr.csv",
      Array.from({ length: 12 }, (_, i) => [1 + (i % 2)]),
    );
    w("L_te.csv", [[1], [2], [1], [2], [1], [3]]);
    const lines: string[] = [];
    await checkDataset({ name: "one-missing", data: d }, [0], (l) => lines.push(l));
    expect(lines).toEqual([
      "dataset check: 1 of 6 queries (split seed 0) share no label with any database item; they count as 0 in mAP (the leaderboard shows the count)",
    ]);
    rmSync(d, { recursive: true, force: true });
  });
});
