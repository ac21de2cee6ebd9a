/**
 * Property-based fuzzing of the bench's option parser: random argument vectors built from the
 * real option names, valid and invalid values (empty, repeated, out of range, unknown, stray
 * commas, random text) must either be refused with a message (the CLI prints it and exits 2) or
 * give a valid plan: known methods without repeats, bit lengths 8..1024 and seeds without
 * repeats, known directions, metric and backend, a non-empty output folder, a dataset spec that
 * passes the dataset check. Cases: CMH_FUZZ_RUNS (tooling/scripts/fuzz-long.mjs), else 1,000.
 */
import { breathe, fuzzRuns } from "@cmh/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCli } from "./args";
import { validateDatasetSpec } from "./dataset";
import { REGISTRY, selectMethods } from "./registry";

const OPTIONS = [
  "--methods",
  "--bits",
  "--seeds",
  "--config",
  "--set",
  "--dataset",
  "--data",
  "--protocol",
  "--backend",
  "--out",
  "--directions",
  "--metric",
];
const FLAGS = ["--inline", "--skip-failed", "--no-html", "--report", "--list", "-h", "--help"];
const VALUES = [
  "",
  " ",
  ",",
  "16",
  "16,32",
  "16,16",
  "7",
  "2048",
  "16,,32",
  "0",
  "0,1",
  "-1",
  "1e3",
  "CCA-ITQ",
  "uch,sgeh",
  "UCH,UCH",
  "UCH,uch",
  "nope",
  "i2t,t2i",
  "i2t,i2t",
  "mAP@all",
  "mAP@7",
  "wasm",
  "cuda",
  "quick",
  "paper",
  "epochs=2",
  "bits=8",
  "synthetic-small",
  "synthetic-default",
  "mirflickr25k",
  "uci-mfeat",
  "results/x",
  ".",
];

const argArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(
      fc.constantFrom(...OPTIONS),
      fc.oneof(fc.constantFrom(...VALUES), fc.string()),
    ),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...FLAGS)) },
  { weight: 1, arbitrary: fc.tuple(fc.string()) },
);
const argvArb = fc.array(argArb, { maxLength: 6 }).map((parts) => parts.flat());

function uniq<T>(xs: readonly T[]): boolean {
  return new Set(xs).size === xs.length;
}

describe("bench option parser fuzzing", () => {
  const runs = fuzzRuns(1000);
  it(`${runs} random argument vectors: a usage message, or a valid plan`, async () => {
    await fc.assert(
      fc.asyncProperty(argvArb, async (argv) => {
        await breathe();
        let o: ReturnType<typeof parseCli>;
        try {
          o = parseCli(argv);
          if (!o.help && !o.list && !o.reportOnly) {
            selectMethods(o.methods);
            validateDatasetSpec({ name: o.dataset, data: o.data, protocol: o.protocol });
          }
        } catch (e) {
          // refused: the CLI prints the message and exits 2
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message.length).toBeGreaterThan(5);
          return;
        }
        if (o.help || o.list) return;
        expect(o.out.trim().length).toBeGreaterThan(0);
        if (o.reportOnly) return;
        if (o.methods !== undefined) {
          expect(o.methods.length).toBeGreaterThan(0);
          expect(uniq(o.methods)).toBe(true);
          for (const m of o.methods)
            expect(REGISTRY.some((e) => e.name.toLowerCase() === m.toLowerCase())).toBe(true);
        }
        expect(o.bits.length).toBeGreaterThan(0);
        expect(uniq(o.bits)).toBe(true);
        for (const b of o.bits) expect(Number.isInteger(b) && b >= 8 && b <= 1024).toBe(true);
        expect(o.seeds.length).toBeGreaterThan(0);
        expect(uniq(o.seeds)).toBe(true);
        for (const s of o.seeds) expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
        expect(o.directions.length).toBeGreaterThan(0);
        expect(uniq(o.directions)).toBe(true);
        expect(["auto", "tensorflow", "wasm", "cpu"]).toContain(o.backend);
        expect(["mAP@all", "mAP@50", "mAP@1000", "P@r2"]).toContain(o.metric);
        expect(o.dataset.trim().length).toBeGreaterThan(0);
      }),
      { numRuns: runs },
    );
  });
});
