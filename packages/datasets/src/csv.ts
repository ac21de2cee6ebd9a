import { readFileSync } from "node:fs";
import { DatasetError, describeReadError } from "./errors";
import { sniffFormat } from "./mat";
import type { Matrix } from "./types";

/** A numeric table read from CSV; `data` is row-major float64. */
export interface CsvTable {
  readonly path: string;
  readonly header: readonly string[] | null;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Options of `readCsv`. */
export interface CsvOptions {
  /** true: first line is a header; false: it is data; "auto" (default): header if it is not numeric. */
  header?: boolean | "auto";
  /** Field separator; default: "," if the first line has one, else runs of whitespace. */
  delimiter?: string;
  /** Accept NaN / Inf cells (default false: a non-finite cell is an error naming its line and column). */
  allowNonFinite?: boolean;
}

const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$/i;

/** Read a numeric CSV file (optional header). Errors name the line, column and offending field. */
export function readCsv(path: string, options: CsvOptions = {}): CsvTable {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new DatasetError(describeReadError(path, e), { file: path });
  }
  const nul = raw.indexOf(0);
  if (nul >= 0) {
    throw new DatasetError(
      `${path}: is a binary file, not CSV text (a NUL byte at offset ${nul}); found ${sniffFormat(raw.subarray(0, 512))}`,
      { file: path, offset: nul },
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new DatasetError(
      `${path}: is not UTF-8 text (a binary file given as CSV?); found ${sniffFormat(raw.subarray(0, 512))}`,
      { file: path },
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  if (lines.length === 0)
    throw new DatasetError(`${path}: empty CSV file (expected rows of numbers)`, { file: path });
  if (lines[0].trim() === "") {
    throw new DatasetError(`${path}: line 1 is blank (expected a header or a row of numbers)`, {
      file: path,
      line: 1,
    });
  }
  const delim = options.delimiter ?? (lines[0].includes(",") ? "," : /\s+/);
  const split = (l: string): string[] =>
    (typeof delim === "string" ? l.split(delim) : l.trim().split(delim)).map((s) => s.trim());
  const first = split(lines[0]);
  const firstNumeric = first.every((f) => NUM.test(f));
  const hasHeader =
    options.header === "auto" || options.header === undefined ? !firstNumeric : options.header;
  const header = hasHeader ? first : null;
  const start = hasHeader ? 1 : 0;
  const cols = first.length;
  const rows = lines.length - start;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const line = lines[start + r];
    if (line.trim() === "") {
      throw new DatasetError(
        `${path}: line ${start + r + 1} is blank (a blank line inside the data; remove it)`,
        { file: path, line: start + r + 1 },
      );
    }
    const f = split(line);
    if (f.length !== cols) {
      throw new DatasetError(
        `${path}: line ${start + r + 1} has ${f.length} fields, expected ${cols} (as on line ${start + 1})`,
        { file: path, line: start + r + 1 },
      );
    }
    for (let c = 0; c < cols; c++) {
      const s = f[c];
      if (!NUM.test(s)) {
        throw new DatasetError(
          `${path}: line ${start + r + 1}, column ${c + 1}: ${JSON.stringify(s)} is not a number${r === 0 && !hasHeader ? " (pass header: true if the first line is a header)" : ""}`,
          { file: path, line: start + r + 1, column: c + 1 },
        );
      }
      const low = s.toLowerCase().replace(/^\+/, "");
      if (!options.allowNonFinite && /(nan|inf|infinity)$/.test(low)) {
        throw new DatasetError(
          `${path}: line ${start + r + 1}, column ${c + 1}: ${JSON.stringify(s)} is not a finite number (pass allowNonFinite: true to accept NaN / Inf)`,
          { file: path, line: start + r + 1, column: c + 1 },
        );
      }
      const v = Number(s);
      if (!options.allowNonFinite && !Number.isFinite(v)) {
        throw new DatasetError(
          `${path}: line ${start + r + 1}, column ${c + 1}: ${JSON.stringify(s)} overflows to ${v} (not a finite float)`,
          { file: path, line: start + r + 1, column: c + 1 },
        );
      }
      data[r * cols + c] = low.endsWith("nan")
        ? Number.NaN
        : low.endsWith("inf") || low.endsWith("infinity")
          ? low.startsWith("-")
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY
          : Number(s);
    }
  }
  return { path, header, rows, cols, data };
}

/** Read a numeric CSV file as a float32 Matrix (a value beyond float32's range is an error). */
export function readCsvMatrix(path: string, options: CsvOptions = {}): Matrix {
  const t = readCsv(path, options);
  const data = new Float32Array(t.data.length);
  data.set(t.data);
  if (!options.allowNonFinite) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        const r = Math.floor(i / t.cols);
        const line = r + (t.header ? 2 : 1);
        throw new DatasetError(
          `${path}: line ${line}, column ${(i % t.cols) + 1}: ${t.data[i]} is beyond the float32 range`,
          { file: path, line, column: (i % t.cols) + 1 },
        );
      }
    }
  }
  return { rows: t.rows, cols: t.cols, data };
}
