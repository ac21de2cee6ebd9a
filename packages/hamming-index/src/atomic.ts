// Atomic file writes (temp file in the same folder, then rename), shared by every package that
// saves something: an index, a split, a model, a bench result.
import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";

/** A temporary name beside `path`, unique to this process and call. */
function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * Write `data` to `path` atomically: readers see the old file or the whole new one, never a part.
 * The temporary file is removed when the write or the rename fails, and the error is rethrown.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = tempName(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The promise form of `writeFileAtomicSync` (same guarantees). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempName(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
