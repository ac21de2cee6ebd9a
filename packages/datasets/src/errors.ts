import type { Matrix } from "./types";

/** Error raised for bad data or unreadable files; `details` carries the facts named in the message. */
export class DatasetError extends Error {
  override readonly name = "DatasetError";
  readonly details: Readonly<Record<string, unknown>>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }
}

/** Why a file could not be read, in words (not a raw system error code). */
export function describeReadError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return `${path}: file not found`;
  if (code === "EISDIR") return `${path}: is a folder, not a file`;
  if (code === "EACCES" || code === "EPERM") return `${path}: permission denied`;
  if (code === "ENOTDIR") return `${path}: a part of the path is a file, not a folder`;
  return `${path}: cannot read the file (${code ?? (e as Error).message})`;
}

/** Throw a DatasetError naming the file, row and column of the first non-finite value of `m`. */
export function checkFinite(m: Matrix, where: string): void {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      const r = Math.floor(i / m.cols);
      throw new DatasetError(
        `${where}: non-finite value ${d[i]} at row ${r + 1}, column ${i - r * m.cols + 1} (1-based; pass allowNonFinite: true to accept it)`,
        { row: r + 1, column: i - r * m.cols + 1 },
      );
    }
  }
}
