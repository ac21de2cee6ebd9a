import { readFileSync } from "node:fs";
import { DatasetError } from "./errors";
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
}

const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$/i;

/** Read a numeric CSV file (optional header). Errors name the line, column and offending field. */
export function readCsv(path: string, options: CsvOptions = {}): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new DatasetError(
      `${path}: file not found (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  if (lines.length === 0)
    throw new DatasetError(`${path}: empty CSV file (expected rows of numbers)`);
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

/** Read a numeric CSV file as a float32 Matrix. */
export function readCsvMatrix(path: string, options: CsvOptions = {}): Matrix {
  const t = readCsv(path, options);
  const data = new Float32Array(t.data.length);
  data.set(t.data);
  return { rows: t.rows, cols: t.cols, data };
}
