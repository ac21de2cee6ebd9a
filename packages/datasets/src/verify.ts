import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { DatasetError } from "./errors";

/** SHA-256 of known distribution files, by file name (sources: the data READMEs of the project). */
export const KNOWN_FILES: Readonly<Record<string, { sha256: string; source: string }>> =
  Object.freeze({
    "mirflickr25k-lall.mat": {
      sha256: "173eec1fb2603bb54c893467c127325556fbe5bc91dd7e647d136a8e4e9fd07d",
      source: "DJSRH cleared set LAll (20015×24 uint8), via GitHub LonganWANG-cs/NRCH c2ec2e8",
    },
    "mirflickr25k-yall.mat": {
      sha256: "a53d2ba6a5f3672b5e747aaa8b76d4af6be568d300715c6910d8c67bdef55f7e",
      source: "DJSRH cleared set YAll (20015×1386 uint8), via GitHub LonganWANG-cs/NRCH c2ec2e8",
    },
    "uci_all.mat": {
      sha256: "ba2fc14e773927423598e42bb2435b432a3fec524102bfaa224d3385405e378e",
      source:
        "UCI mfeat in the I_tr/T_tr/L_tr layout, FSH release (BMC-SDNU/Cross-Modal-Retrieval 453b561)",
    },
  });

/** SHA-256 (hex) of a file's bytes. */
export function sha256File(path: string): string {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch (e) {
    throw new DatasetError(
      `${path}: cannot read for hashing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/**
 * Check a file against an expected SHA-256 (or, without one, against `KNOWN_FILES` by file name).
 * Returns `{ known: false }` for an unknown file with no expected hash; throws on a mismatch.
 */
export function verifyFile(path: string, expected?: string): { known: boolean; sha256: string } {
  const want = expected ?? KNOWN_FILES[basename(path)]?.sha256;
  const got = sha256File(path);
  if (want === undefined) return { known: false, sha256: got };
  if (got !== want.toLowerCase()) {
    throw new DatasetError(
      `${path}: SHA-256 ${got} does not match the expected ${want}${expected ? "" : ` (${KNOWN_FILES[basename(path)].source})`}: a different release, a partial download, or a modified file`,
      { file: path, expected: want, found: got },
    );
  }
  return { known: true, sha256: got };
}
