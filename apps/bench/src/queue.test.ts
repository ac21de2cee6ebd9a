import { describe, expect, it } from "vitest";
import { type CellSpec, cellKey } from "./cell";
import { canonical, dataHash } from "./data-hash";
import type { DatasetIdentity } from "./dataset";
import { cellJobData, JOB_SCHEMA, jobIdFor, specFromJob, withTimeout } from "./queue";
import type { MethodEntry } from "./registry";
import { makeFakeHasher } from "./test-fakes";

const Fake = makeFakeHasher("FakeQ");
const registry: MethodEntry[] = [
  { name: "FakeQ", package: "@cmh/test-fake", supervised: true, load: async () => Fake },
];
const spec: CellSpec = {
  method: "FakeQ",
  package: "@cmh/test-fake",
  supervised: true,
  preset: "quick",
  overrides: { epochs: 3 },
  bits: 32,
  seed: 1,
  dataset: { name: "synthetic-small" },
  backend: "wasm",
  directions: ["i2t", "t2i"],
};
const HASH = "a".repeat(64);

const identity: DatasetIdentity = {
  dataset: "d",
  synthetic: false,
  protocol: "p",
  splitSeed: 0,
  splitHash: "b".repeat(64),
  nItems: 10,
  nTrain: 5,
  nQuery: 2,
  nDatabase: 8,
  imageDim: 3,
  textDim: 4,
  numLabels: 2,
  generator: null,
  files: [{ name: "x.mat", bytes: 10, sha256: "c".repeat(64) }],
};

describe("job data", () => {
  it("round-trips a cell through its job description", () => {
    const data = cellJobData(spec, HASH, 2);
    expect(data).toMatchObject({
      schema: JOB_SCHEMA,
      cell: cellKey(spec),
      dataHash: HASH,
      attempts: 2,
    });
    // JSON is what Redis stores.
    const back = specFromJob(JSON.parse(JSON.stringify(data)), {}, registry);
    expect(back).toEqual(spec);
  });

  it("takes package and supervised flag from the worker's registry, and the worker's backend and data path", () => {
    const data = { ...cellJobData(spec, HASH, 2), method: "fakeq" };
    const back = specFromJob(
      JSON.parse(JSON.stringify({ ...data, cell: cellKey({ ...spec, method: "FakeQ" }) })),
      { backend: "tensorflow", data: "data/here" },
      registry,
    );
    expect(back.method).toBe("FakeQ");
    expect(back.package).toBe("@cmh/test-fake");
    expect(back.supervised).toBe(true);
    expect(back.backend).toBe("tensorflow");
    expect(back.dataset).toEqual({ name: "synthetic-small", data: "data/here" });
  });

  it("refuses an unregistered method and malformed fields, naming them", () => {
    const data = cellJobData(spec, HASH, 2);
    const refuse = (d: unknown) => () => specFromJob(d, {}, registry);
    expect(refuse({ ...data, method: "Evil", cell: "Evil|quick|32|1|synthetic-small|" })).toThrow(
      'job refused: method "Evil" is not registered in this worker (Unknown method "Evil". Registered methods: FakeQ.)',
    );
    expect(refuse({ ...data, schema: "other/9" })).toThrow('schema "other/9"');
    expect(refuse({ ...data, bits: 4 })).toThrow("bits 4");
    expect(refuse({ ...data, seed: -1 })).toThrow("seed -1");
    expect(refuse({ ...data, preset: "../x" })).toThrow('preset "../x"');
    expect(refuse({ ...data, backend: "rm -rf" })).toThrow('backend "rm -rf"');
    expect(refuse({ ...data, directions: ["up"] })).toThrow('directions ["up"]');
    expect(refuse({ ...data, overrides: [1] })).toThrow("overrides [1]");
    expect(refuse({ ...data, dataHash: "zz" })).toThrow('data hash "zz"');
    expect(refuse({ ...data, attempts: 0 })).toThrow("attempts 0");
    expect(refuse({ ...data, bits: 64 })).toThrow(
      /cell id ".*\|32\|.*" does not match its description/,
    );
    expect(refuse(null)).toThrow("expected an object");
  });

  it("escapes the characters BullMQ reserves in job ids", () => {
    expect(jobIdFor("UCH|quick|16|0|synthetic-default|")).toBe("UCH|quick|16|0|synthetic-default|");
    expect(jobIdFor('A|quick + x="a:b%"|16|0|d|p')).toBe('A|quick + x="a%3Ab%25"|16|0|d|p');
  });
});

describe("dataHash", () => {
  it("is stable under key order and changes with the data", () => {
    const h = dataHash(identity);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(
      Object.entries(identity).reverse(),
    ) as unknown as DatasetIdentity;
    expect(dataHash(reordered)).toBe(h);
    expect(dataHash({ ...identity, splitSeed: 1 })).not.toBe(h);
    expect(
      dataHash({ ...identity, files: [{ ...identity.files[0], sha256: "d".repeat(64) }] }),
    ).not.toBe(h);
    expect(canonical({ b: [{ d: 1, c: 2 }], a: null })).toEqual({ a: null, b: [{ c: 2, d: 1 }] });
    expect(JSON.stringify(canonical({ b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });
});

describe("withTimeout", () => {
  it("passes a result through and fails with the message after the time", async () => {
    await expect(withTimeout(Promise.resolve(3), 1, "late")).resolves.toBe(3);
    await expect(withTimeout(new Promise(() => {}), 0.05, "no Redis")).rejects.toThrow("no Redis");
  });
});
