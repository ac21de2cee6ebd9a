/**
 * Property-based fuzzing of the index loader: a saved Flat and a saved MIH index are mutated
 * (truncate, flip bits, set bytes, splice, grow, swap chunks, random bytes) and `loadIndex` must
 * throw an IndexFormatError naming the file, or (bytes unchanged) give an index with identical
 * codes and search results — never another error, a hang or a different index. The file carries
 * a CRC-32 of every byte. Cases: CMH_FUZZ_RUNS (tooling/scripts/fuzz-long.mjs), else a few hundred.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  applyMutations,
  breathe,
  fuzzRuns,
  mutationsArb,
  sameBytes,
} from "../../../tooling/testing/src/fuzz";
import { checkK } from "./base";
import { indexFactory, loadIndex } from "./factory";
import { IndexFormatError } from "./io";
import { randomCodes } from "./testutil";

const dir = mkdtempSync(join(tmpdir(), "cmh-index-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const RUNS = fuzzRuns(400);

describe("index loader", () => {
  it("names a missing file, a folder and a string k without raw system errors", () => {
    const missing = join(dir, "none.idx");
    expect(() => loadIndex(missing)).toThrow(
      new IndexFormatError(`cannot load ${missing}: no such file`),
    );
    expect(() => loadIndex(dir)).toThrow(`cannot load ${dir}: it is a folder, not an index file`);
    expect(() => checkK("5" as never)).toThrow(
      'k must be a positive integer, got the string "5" (pass a number)',
    );
  });

  for (const spec of ["Flat", "MIH4"]) {
    it(`${spec}: ${RUNS} mutated index files`, async () => {
      const ix = indexFactory(40, spec);
      ix.add(randomCodes(30, 40, 5));
      const valid = ix.serialize();
      const q = randomCodes(3, 40, 6);
      const want = ix.search(q, 5);
      let c = 0;
      await fc.assert(
        fc.asyncProperty(mutationsArb, async (ms) => {
          await breathe();
          const bytes = applyMutations(valid, ms);
          const path = join(dir, `case-${c++ % 16}.idx`);
          writeFileSync(path, bytes);
          let back: ReturnType<typeof loadIndex>;
          try {
            back = loadIndex(path);
          } catch (e) {
            if (!(e instanceof IndexFormatError)) throw e;
            expect(e.message).toContain(path);
            return;
          }
          // a CRC-32 over every byte: only unchanged bytes load (a collision is a 2^-32 event)
          expect(sameBytes(bytes, valid)).toBe(true);
          expect(back.codes()).toEqual(ix.codes());
          expect(back.search(q, 5)).toEqual(want);
        }),
        { numRuns: RUNS },
      );
    });
  }
});
