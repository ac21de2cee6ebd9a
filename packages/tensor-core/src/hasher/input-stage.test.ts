import type { Matrix } from "@cmh/datasets";
import { describe, expect, it } from "vitest";
import {
  INPUT_MODES,
  type InputMode,
  InputSpecError,
  InputStage,
  InputTransform,
  parseInputSpec,
} from "./input-stage";

function mat(rows: number[][]): Matrix {
  return { rows: rows.length, cols: rows[0].length, data: Float32Array.from(rows.flat()) };
}

function rowsOf(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) =>
    Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)),
  );
}

function scaled(m: Matrix, f: number): Matrix {
  return { ...m, data: m.data.map((v) => v * f) };
}

/** 4 rows x 3 columns; column 2 is constant. */
const X = mat([
  [1, 10, 5],
  [3, 20, 5],
  [5, 30, 5],
  [7, 60, 5],
]);

describe("parseInputSpec", () => {
  it("reads one mode for both modalities or image/text", () => {
    expect(parseInputSpec("standardize")).toEqual({ image: "standardize", text: "standardize" });
    expect(parseInputSpec("center-scale/scale")).toEqual({ image: "center-scale", text: "scale" });
    for (const m of INPUT_MODES) expect(parseInputSpec(m).image).toBe(m);
  });
  it("rejects other values, naming the value and the allowed ones", () => {
    expect(() => parseInputSpec("zscore")).toThrow(
      /input must be one of "none", "standardize", "center-scale", "scale", "l2".*got "zscore"/,
    );
    expect(() => parseInputSpec("l2/l2/l2")).toThrow(InputSpecError);
    expect(() => parseInputSpec("standardize/")).toThrow(/got "standardize\/"/);
    expect(() => parseInputSpec(3)).toThrow(/must be a string.*got 3/);
  });
});

describe("InputTransform", () => {
  it("standardize: per-column z-score, constant column -> 0", () => {
    const t = new InputTransform("standardize", 3).fit(X);
    const mean0 = 4;
    const sd0 = Math.sqrt((9 + 1 + 1 + 9) / 4);
    const mean1 = 30;
    const sd1 = Math.sqrt((400 + 100 + 0 + 900) / 4);
    expect(t.constantColumns).toBe(1);
    const y = rowsOf(t.apply(X));
    for (let i = 0; i < 4; i++) {
      expect(y[i][0]).toBeCloseTo((X.data[i * 3] - mean0) / sd0, 5);
      expect(y[i][1]).toBeCloseTo((X.data[i * 3 + 1] - mean1) / sd1, 5);
      expect(y[i][2]).toBe(0);
    }
    // a new row with a value in the constant column stays finite (the column is dropped)
    expect(rowsOf(t.apply(mat([[4, 30, 1e6]])))[0]).toEqual([0, 0, 0]);
  });

  it("center-scale: column means and ONE scale, the root mean column variance", () => {
    const t = new InputTransform("center-scale", 3).fit(X);
    const rms = Math.sqrt((20 + 1400 + 0) / 12);
    const y = rowsOf(t.apply(X));
    expect(y[0][0]).toBeCloseTo((1 - 4) / rms, 5);
    expect(y[3][1]).toBeCloseTo((60 - 30) / rms, 5);
    expect(y[1][2]).toBe(0);
  });

  it("scale: keeps zeros zero and brings the mean square of the entries to 1", () => {
    const sparse = mat([
      [0, 2, 0, 0],
      [0, 0, 0, 4],
      [0, 0, 0, 0],
    ]);
    const t = new InputTransform("scale", 4).fit(sparse);
    const y = t.apply(sparse);
    expect(Array.from(y.data).map((v, i) => (sparse.data[i] === 0 ? v : 1))).toEqual(
      Array.from({ length: 12 }, (_, i) => (sparse.data[i] === 0 ? 0 : 1)),
    );
    const ms = y.data.reduce((a, v) => a + v * v, 0) / y.data.length;
    expect(ms).toBeCloseTo(1, 5);
    expect(t.constantColumns).toBe(2);
  });

  it("l2: unit rows, an all-zero row stays zero, nothing fitted", () => {
    const m = mat([
      [3, 4],
      [0, 0],
      [0, -2],
    ]);
    const t = new InputTransform("l2", 2).fit(m);
    expect(t.hasParameters).toBe(false);
    expect(rowsOf(t.apply(m))).toEqual([
      [Math.fround(0.6), Math.fround(0.8)],
      [0, 0],
      [0, -1],
    ]);
  });

  it("none returns the rows untouched", () => {
    const t = new InputTransform("none", 3).fit(X);
    expect(t.apply(X)).toBe(X);
  });

  it("every fitted mode gives the same rows for features scaled by 1000 or 0.001", () => {
    for (const mode of INPUT_MODES.filter((m) => m !== "none")) {
      const ref = new InputTransform(mode, 3).fit(X).apply(X);
      for (const f of [1000, 0.001]) {
        const xs = scaled(X, f);
        const y = new InputTransform(mode, 3).fit(xs).apply(xs);
        for (let i = 0; i < y.data.length; i++)
          expect(y.data[i], `${mode} x ${f} at ${i}`).toBeCloseTo(ref.data[i], 4);
      }
    }
  });

  it("never produces NaN or Inf: all-zero data, constant columns, one row", () => {
    const zero = mat([
      [0, 0],
      [0, 0],
    ]);
    const one = mat([[2, -3]]);
    for (const mode of INPUT_MODES) {
      for (const m of [zero, one, X]) {
        const t = new InputTransform(mode as InputMode, m.cols).fit(m);
        for (const v of t.apply(m).data) expect(Number.isFinite(v), mode).toBe(true);
      }
    }
  });

  it("refuses a matrix of another width", () => {
    expect(() => new InputTransform("standardize", 2).fit(X)).toThrow(
      /fitted for 2 columns, got a matrix with 3/,
    );
  });
});

describe("InputStage", () => {
  it("fits each modality with its own mode, names its weights, and reports", () => {
    const text = mat([
      [0, 1],
      [1, 0],
      [1, 1],
      [0, 0],
    ]);
    const s = new InputStage("standardize/l2", { image: 3, text: 2 }).fit({ image: X, text });
    expect(s.modes).toEqual({ image: "standardize", text: "l2" });
    expect(Object.keys(s.weights()).sort()).toEqual(["input.image.scale", "input.image.shift"]);
    expect(s.report()).toEqual({
      image: { mode: "standardize", constantColumns: 1 },
      text: { mode: "l2", constantColumns: 0 },
    });
    expect(s.identity).toBe(false);
    expect(new InputStage("none", { image: 3, text: 2 }).identity).toBe(true);
    expect(s.apply("text", text).data[2]).toBe(1);
  });
});
