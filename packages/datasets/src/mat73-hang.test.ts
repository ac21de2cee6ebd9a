/**
 * Regression: a corrupt MAT v7.3 file, found by fuzzing (loaders.fuzz.test.ts, fast-check
 * seed 187, case 902), on which HDF5's C code loops without end. It is rebuilt here from the
 * valid file the fuzz property mutates (the test writer's output is byte-stable) and the two
 * mutations of that case. The read must end with a DatasetError naming the file, the format and
 * the time limit, and the reader must still work afterwards. Its own test file, so that the
 * reader thread is fresh (no earlier read in it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyMutations, type Mutation } from "../../../tooling/testing/src/fuzz";
import { DatasetError } from "./errors";
import { readMat } from "./mat";
import { mat73TimeLimitMs } from "./mat73";
import { tempDir, writeMat73 } from "./testing/writers";

const LOOPS: Mutation[] = [
  { kind: "flip", at: 588547033, bit: 2 },
  { kind: "swap", a: 752286045, b: 114712526, len: 30 },
];

describe("readMat on a MAT v7.3 file on which HDF5 loops", () => {
  it("throws a DatasetError naming the file, format and time limit, then reads valid files", async () => {
    const dir = tempDir();
    const valid = join(dir, "valid73.mat");
    await writeMat73(valid, [
      { name: "X", cls: "double", dims: [3, 2], colMajor: [1, 2, 3, 4, 5, 6] },
    ]);
    const bad = join(dir, "loops73.mat");
    writeFileSync(bad, applyMutations(new Uint8Array(readFileSync(valid)), LOOPS));

    const err = await readMat(bad, { timeLimitMs: 1500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    const e = err as DatasetError;
    expect(e.message).toContain(bad);
    expect(e.message).toContain("MAT v7.3");
    expect(e.message).toContain("did not finish within 1500 ms");
    expect(e.details).toEqual({ file: bad, format: "MAT v7.3", timeLimitMs: 1500 });

    // The looping reader thread was stopped; a fresh one reads the valid file.
    const m = await readMat(valid);
    expect(m.variables.X.dims).toEqual([3, 2]);
    expect(Array.from(m.variables.X.data!)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("scales the default time limit with the file size", () => {
    expect(mat73TimeLimitMs(0)).toBe(10_000);
    expect(mat73TimeLimitMs(10_000_000)).toBe(11_000);
    expect(mat73TimeLimitMs(1_000_000_000)).toBe(110_000);
  });
});
