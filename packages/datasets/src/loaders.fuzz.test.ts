/**
 * Property-based fuzzing of the file loaders: valid files are mutated (truncate, flip bits, set
 * bytes, splice, grow, swap chunks, random bytes) and each loader must either throw a
 * DatasetError whose message names the file, or return a well-formed matrix (rows x cols values,
 * all finite) equal to what an independent reading of the mutated bytes gives — never another
 * kind of error, a hang or a malformed result. These formats carry no checksum of their own
 * (MAT v5 compressed elements excepted), so a changed number that leaves the file valid is a
 * valid file; what must never happen is a result the bytes do not say.
 * Cases per loader: CMH_FUZZ_RUNS (the long run: tooling/scripts/fuzz-long.mjs), else a few
 * hundred. fast-check prints the seed and the shrunk case of any failure.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyMutations,
  breathe,
  fuzzRuns,
  mutationsArb,
  sameBytes,
} from "../../../tooling/testing/src/fuzz";
import { readCsvMatrix } from "./csv";
import { DatasetError } from "./errors";
import { matToMatrix, pickVariable, readMat } from "./mat";
import { readNpyMatrix } from "./npy";
import { tempDir, writeMat5, writeMat73, writeNpy } from "./testing/writers";
import type { Matrix } from "./types";

const dir = tempDir("cmh-fuzz-");
let caseNo = 0;

function wellFormed(m: Matrix): void {
  expect(Number.isInteger(m.rows) && m.rows >= 0).toBe(true);
  expect(Number.isInteger(m.cols) && m.cols >= 0).toBe(true);
  expect(m.data).toBeInstanceOf(Float32Array);
  expect(m.data.length).toBe(m.rows * m.cols);
  for (let i = 0; i < m.data.length; i++) expect(Number.isFinite(m.data[i])).toBe(true);
}

/** Run `load` on the mutated bytes: a DatasetError naming the file, or a well-formed result. */
async function check(
  ext: string,
  valid: Uint8Array,
  expected: Matrix,
  bytes: Uint8Array,
  load: (path: string) => Matrix | Promise<Matrix>,
  reference?: (bytes: Uint8Array) => Matrix | undefined,
): Promise<void> {
  await breathe();
  const path = join(dir, `case-${caseNo++ % 64}.${ext}`);
  writeFileSync(path, bytes);
  let m: Matrix;
  try {
    m = await load(path);
  } catch (e) {
    if (!(e instanceof DatasetError)) throw e;
    expect(e.message).toContain(path);
    return;
  }
  wellFormed(m);
  if (sameBytes(bytes, valid)) expect(m).toEqual(expected);
  const ref = reference?.(bytes);
  if (ref) expect(m).toEqual(ref);
}

/** An independent reading of a numeric CSV (comma-separated, optional non-numeric header). */
function csvReference(bytes: Uint8Array): Matrix | undefined {
  const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, "");
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  const rows = lines.map((l) => l.split(",").map((f) => f.trim()));
  const isNum = (f: string) => f !== "" && Number.isFinite(Number(f)) && !/^0[xob]/i.test(f);
  const body = rows[0]?.every(isNum) ? rows : rows.slice(1);
  if (body.length === 0) return undefined;
  const cols = body[0].length;
  const data = new Float32Array(body.length * cols);
  body.forEach((r, i) => {
    r.forEach((f, j) => {
      data[i * cols + j] = Number(f);
    });
  });
  return { rows: body.length, cols, data };
}

const RUNS = { csv: fuzzRuns(400), npy: fuzzRuns(400), mat5: fuzzRuns(300), mat73: fuzzRuns(60) };

describe("loader fuzzing", () => {
  it(`CSV: ${RUNS.csv} mutated files`, async () => {
    const p = join(dir, "valid.csv");
    writeFileSync(p, "a,b,c\n1.5,-2,3e2\n0.25,4,-5.5e-1\n7,8.125,9\n");
    const valid = new Uint8Array(readFileSync(p));
    const expected = readCsvMatrix(p);
    await fc.assert(
      fc.asyncProperty(mutationsArb, async (ms) => {
        await check("csv", valid, expected, applyMutations(valid, ms), readCsvMatrix, csvReference);
      }),
      { numRuns: RUNS.csv },
    );
  });

  it(`.npy: ${RUNS.npy} mutated files (float32 C order, float64 Fortran order)`, async () => {
    for (const [descr, fortran] of [
      ["<f4", false],
      ["<f8", true],
    ] as const) {
      const p = join(dir, `valid${descr.slice(1)}.npy`);
      writeNpy(p, descr, [4, 3], [1, -2, 3.5, 4, 5, 6, 7, 8, 9, 10, 11, 12.25], { fortran });
      const valid = new Uint8Array(readFileSync(p));
      const expected = readNpyMatrix(p);
      await fc.assert(
        fc.asyncProperty(mutationsArb, async (ms) => {
          await check("npy", valid, expected, applyMutations(valid, ms), readNpyMatrix);
        }),
        { numRuns: Math.ceil(RUNS.npy / 2) },
      );
    }
  });

  const loadMatX = async (path: string): Promise<Matrix> => {
    const mat = await readMat(path);
    return matToMatrix(pickVariable(mat, ["X"], "X"), path);
  };

  it(`MAT v5: ${RUNS.mat5} mutated files (plain and compressed)`, async () => {
    for (const compress of [false, true]) {
      const p = join(dir, `valid${compress ? "z" : ""}.mat`);
      writeMat5(
        p,
        [
          { name: "X", cls: "double", dims: [3, 2], colMajor: [1, 2, 3, 4.5, -5, 6] },
          { name: "L", cls: "uint8", dims: [3, 1], colMajor: [1, 0, 1] },
        ],
        { compress },
      );
      const valid = new Uint8Array(readFileSync(p));
      const expected = await loadMatX(p);
      await fc.assert(
        fc.asyncProperty(mutationsArb, async (ms) => {
          await check("mat", valid, expected, applyMutations(valid, ms), loadMatX);
        }),
        { numRuns: Math.ceil(RUNS.mat5 / 2) },
      );
    }
  });

  // A 6.7 KB file: 2 s is ample for a valid read; past it HDF5 is looping on the corrupt bytes.
  const loadMat73X = async (path: string): Promise<Matrix> => {
    const mat = await readMat(path, { timeLimitMs: 2000 });
    return matToMatrix(pickVariable(mat, ["X"], "X"), path);
  };

  it(
    `MAT v7.3: ${RUNS.mat73} mutated files`,
    async () => {
      const p = join(dir, "valid73.mat");
      await writeMat73(p, [
        { name: "X", cls: "double", dims: [3, 2], colMajor: [1, 2, 3, 4, 5, 6] },
      ]);
      const valid = new Uint8Array(readFileSync(p));
      const expected = await loadMatX(p);
      await fc.assert(
        fc.asyncProperty(mutationsArb, async (ms) => {
          await check("mat", valid, expected, applyMutations(valid, ms), loadMat73X);
        }),
        // HDF5's C code (h5wasm) runs in a worker thread with a time limit: a corrupt file on which
        // it aborts or loops without end (mat73-hang.test.ts) is a DatasetError, never a hang.
        { numRuns: RUNS.mat73 },
      );
      // A long run (CMH_FUZZ_RUNS) may take minutes; each looping case costs the 2 s limit.
    },
    Math.max(120_000, RUNS.mat73 * 100),
  );
});
