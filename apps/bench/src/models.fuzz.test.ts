/**
 * Property-based fuzzing of saved models, for every registered method: a tiny model is fitted
 * and saved once per method, then model.json or weights.bin is mutated (truncate, flip bits, set
 * bytes, splice, grow, swap chunks, random bytes) and `load` must either throw a ModelFormatError
 * whose message names the changed file, or (a mutation that keeps the content, e.g. whitespace in
 * model.json) load a model whose codes are identical — never another error, a hang or different
 * codes. Cases per method: CMH_FUZZ_RUNS (tooling/scripts/fuzz-long.mjs), else a few dozen.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BinaryCodes } from "@cmh/hamming-index";
import { type HasherClass, initBackend, ModelFormatError } from "@cmh/tensor-core";
import { applyMutations, fuzzRuns, mutationsArb, tinySet } from "@cmh/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REGISTRY } from "./registry";

/** Small configs (as in each method's conformance test) so a fit takes a second or two. */
const TINY: Record<string, Record<string, unknown>> = {
  "CCA-ITQ": { bits: 16, itqIterations: 10 },
  CMIMH: {
    bits: 16,
    hidden: 32,
    criticHidden: 16,
    tcHidden: 16,
    criticDim: 8,
    batchSize: 32,
    epochs: 1,
  },
  DSPAH: {
    bits: 16,
    epochs: 1,
    batchSize: 32,
    imageHidden: [16, 16, 16, 16],
    textChannels: [4, 4, 8, 8],
    textHeadHidden: 8,
  },
  SGEH: {
    epochs: 1,
    hidden: 32,
    discHidden: 16,
    neighbours: 5,
    clusters: 3,
    bits: 16,
    edgesPerEpoch: 64,
  },
  UCH: {
    bits: 16,
    textEmbedDim: 24,
    outerHidden: 32,
    commonDim: 24,
    innerHidden: 24,
    outerDiscHidden: 16,
    innerDiscHidden: 16,
    batchSize: 32,
    epochs: 1,
    lrStepEvery: 0,
  },
  UGACH: {
    bits: 16,
    hidden: 16,
    pretrainEpochs: 1,
    epochs: 1,
    batchSize: 32,
    gBatchSize: 32,
    candidateSharing: "batch",
  },
};

const RUNS = fuzzRuns(100);
const dir = mkdtempSync(join(tmpdir(), "cmh-model-fuzz-"));
const data = tinySet();
beforeAll(async () => {
  await initBackend({ log: false });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Loaded = {
  encode(m: "image" | "text", x: typeof data.image): BinaryCodes;
  dispose(): void;
};

describe("saved model fuzzing", () => {
  it("has a tiny config for every registered method", () => {
    expect(Object.keys(TINY).sort()).toEqual(REGISTRY.map((e) => e.name).sort());
  });

  for (const entry of REGISTRY) {
    it(`${entry.name}: ${RUNS} mutated model folders`, async () => {
      const cls = (await entry.load()) as unknown as HasherClass<object> & {
        load(dir: string): Promise<Loaded>;
      };
      const h = new cls(TINY[entry.name] as never) as unknown as Loaded & {
        fit(s: typeof data): Promise<unknown>;
        save(d: string): Promise<void>;
      };
      await h.fit(data);
      const saved = join(dir, entry.name);
      await h.save(saved);
      const want = { image: h.encode("image", data.image), text: h.encode("text", data.text) };
      h.dispose();
      const files = {
        "model.json": new Uint8Array(readFileSync(join(saved, "model.json"))),
        "weights.bin": new Uint8Array(readFileSync(join(saved, "weights.bin"))),
      };
      const work = join(dir, `${entry.name}-case`);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("model.json", "weights.bin") as fc.Arbitrary<keyof typeof files>,
          mutationsArb,
          async (name, ms) => {
            rmSync(work, { recursive: true, force: true });
            await import("node:fs/promises").then((f) => f.mkdir(work));
            for (const [f, b] of Object.entries(files))
              writeFileSync(join(work, f), f === name ? applyMutations(b, ms) : b);
            let m: Loaded;
            try {
              m = await cls.load(work);
            } catch (e) {
              if (!(e instanceof ModelFormatError)) throw e;
              expect(e.message).toContain(join(work, name));
              return;
            }
            try {
              expect(m.encode("image", data.image).words).toEqual(want.image.words);
              expect(m.encode("text", data.text).words).toEqual(want.text.words);
            } finally {
              m.dispose();
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});
