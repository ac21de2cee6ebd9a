import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Rng, writeFileAtomicSync } from "@cmh/hamming-index";
import { DatasetError } from "./errors";
import type { Split } from "./types";

/**
 * A split protocol. Random protocols draw `query` items as queries, the rest form the database, and
 * `train` items are drawn from the database (`"database"` = the whole database trains). Fixed
 * protocols (`fixedTrain`) take the first `fixedTrain` rows as train = database and the rest as
 * queries (the order of `loadTrainTestLayout`, train rows then test rows).
 */
export interface ProtocolSpec {
  readonly name: string;
  readonly query?: number;
  readonly train?: number | "database";
  readonly fixedTrain?: number;
  /** Item count of the standard release, when there is one; fixed protocols require it. */
  readonly nItems?: number;
  readonly description?: string;
  /** Papers/method specs that use it. */
  readonly usedBy?: readonly string[];
}

/** The named protocols, with the sizes the papers use. */
export const PROTOCOLS: Readonly<Record<string, ProtocolSpec>> = Object.freeze({
  "mirflickr25k-5k": {
    name: "mirflickr25k-5k",
    nItems: 20015,
    query: 2000,
    train: 5000,
    description:
      "MIRFlickr-25K cleared set: 2,000 random queries, rest (18,015) database, 5,000 training from the database",
    usedBy: ["DJSRH", "SGEH", "CMIMH", "UCH (supervised baselines)"],
  },
  "mirflickr25k-10k": {
    name: "mirflickr25k-10k",
    nItems: 20015,
    query: 2000,
    train: 10000,
    description: "MIRFlickr-25K: 2,000 queries, rest database, 10,000 training from the database",
    usedBy: ["DSPAH", "torchcmh/MLSPH (seed 6)"],
  },
  "mirflickr25k-dbtrain": {
    name: "mirflickr25k-dbtrain",
    nItems: 20015,
    query: 2000,
    train: "database",
    description: "MIRFlickr-25K: 2,000 queries, rest database, the whole database trains",
    usedBy: [
      "UCH (unsupervised methods)",
      "UGACH (5% queries in the paper; code trains on 15,000)",
    ],
  },
  "nus-wide-top10": {
    name: "nus-wide-top10",
    nItems: 186577,
    query: 2000,
    train: 5000,
    description:
      "NUS-WIDE, 10 most frequent concepts (186,577 pairs): 2,000 queries, rest database, 5,000 training",
    usedBy: ["DJSRH", "CMIMH", "SGEH (20,000 training)", "UGACH (1% queries, database trains)"],
  },
  "nus-wide-top21": {
    name: "nus-wide-top21",
    nItems: 190421,
    query: 2100,
    train: 10500,
    description:
      "NUS-WIDE, 21 most frequent concepts (190,421 pairs): 2,100 queries, rest database, 10,500 training",
    usedBy: ["DSPAH", "torchcmh (seed 7)"],
  },
  "ms-coco": {
    name: "ms-coco",
    query: 2000,
    train: 5000,
    description:
      "MS-COCO: 2,000 queries, rest database, 5,000 training from the database (item count depends on the release)",
    usedBy: [
      "UCH (122,218 pairs; 6,000 supervised training)",
      "SGEH (20,000 training)",
      "CMIMH (2017 val as queries)",
    ],
  },
  "iapr-tc12": {
    name: "iapr-tc12",
    nItems: 18571,
    query: 2000,
    train: 5000,
    description:
      "IAPR TC-12 (18,571 labelled pairs, 22 concepts): 2,000 queries, rest database, 5,000 training",
    usedBy: ["UCH (query size unstated; 2,000 assumed)"],
  },
  wiki: {
    name: "wiki",
    nItems: 2866,
    fixedTrain: 2173,
    description: "Wikipedia: the fixed 2,173 train (= database) / 693 test (= query) split",
    usedBy: ["SGEH", "DJSRH"],
  },
  "uci-mfeat": {
    name: "uci-mfeat",
    nItems: 2000,
    fixedTrain: 1500,
    description:
      "UCI Multiple Features (FSH release): fixed 1,500 train (= database) / 500 test (= query)",
    usedBy: ["FSH", "shared/data/uci-mfeat REFERENCE.md"],
  },
  "synthetic-default": {
    name: "synthetic-default",
    nItems: 10000,
    query: 1000,
    train: 5000,
    description:
      "The generated default set: 1,000 queries, 9,000 database, 5,000 training from the database",
    usedBy: ["cmh bench default"],
  },
});

function resolveProtocol(p: string | ProtocolSpec): ProtocolSpec {
  if (typeof p !== "string") return p;
  const spec = PROTOCOLS[p];
  if (!spec) {
    throw new DatasetError(
      `Unknown protocol "${p}". Known protocols: ${Object.keys(PROTOCOLS).join(", ")} (or pass a ProtocolSpec)`,
    );
  }
  return spec;
}

/**
 * Make a named, seeded split of `nItems` items. Index lists are sorted ascending; the same
 * protocol, item count and seed always give the same split.
 */
export function makeSplit(protocol: string | ProtocolSpec, nItems: number, seed = 0): Split {
  const spec = resolveProtocol(protocol);
  if (!Number.isInteger(nItems) || nItems < 1) {
    throw new DatasetError(
      `makeSplit("${spec.name}"): nItems must be a positive integer, got ${nItems}`,
    );
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new DatasetError(
      `makeSplit("${spec.name}"): seed must be a non-negative integer, got ${seed}`,
    );
  }
  if (spec.fixedTrain !== undefined) {
    if (spec.nItems !== undefined && nItems !== spec.nItems) {
      throw new DatasetError(
        `makeSplit("${spec.name}"): this fixed split needs exactly ${spec.nItems} items (${spec.fixedTrain} train rows then ${spec.nItems - spec.fixedTrain} test rows), got ${nItems}`,
      );
    }
    if (nItems <= spec.fixedTrain) {
      throw new DatasetError(
        `makeSplit("${spec.name}"): ${nItems} items leave no test rows after ${spec.fixedTrain} train rows`,
      );
    }
    const train = new Uint32Array(spec.fixedTrain);
    for (let i = 0; i < train.length; i++) train[i] = i;
    const query = new Uint32Array(nItems - spec.fixedTrain);
    for (let i = 0; i < query.length; i++) query[i] = spec.fixedTrain + i;
    return { protocol: spec.name, seed, nItems, train, query, database: train.slice() };
  }
  const nQuery = spec.query ?? 0;
  if (!Number.isInteger(nQuery) || nQuery < 1 || nQuery >= nItems) {
    throw new DatasetError(
      `makeSplit("${spec.name}"): ${nQuery} queries need more than ${nQuery} items, got ${nItems}`,
    );
  }
  const nDb = nItems - nQuery;
  const nTrain = spec.train === "database" || spec.train === undefined ? nDb : spec.train;
  if (!Number.isInteger(nTrain) || nTrain < 1 || nTrain > nDb) {
    throw new DatasetError(
      `makeSplit("${spec.name}"): ${nTrain} training items must be drawn from the ${nDb}-item database (${nItems} items − ${nQuery} queries)`,
    );
  }
  const rng = new Rng(seed);
  const perm = new Uint32Array(nItems);
  for (let i = 0; i < nItems; i++) perm[i] = i;
  rng.shuffle(perm);
  const query = perm.slice(0, nQuery).sort();
  const database = perm.slice(nQuery).sort();
  let train: Uint32Array;
  if (nTrain === nDb) train = database.slice();
  else {
    const pick = database.slice();
    // Partial Fisher–Yates: the first nTrain entries become a uniform sample.
    for (let i = 0; i < nTrain; i++) {
      const j = i + rng.int(nDb - i);
      const t = pick[i];
      pick[i] = pick[j];
      pick[j] = t;
    }
    train = pick.slice(0, nTrain).sort();
  }
  return { protocol: spec.name, seed, nItems, train, query, database };
}

/** SHA-256 (hex) of a split's protocol, seed, item count and index lists. */
export function splitHash(split: Split): string {
  const h = createHash("sha256");
  h.update(`cmh-split\n${split.protocol}\n${split.seed}\n${split.nItems ?? ""}\n`);
  for (const part of [split.train, split.query, split.database]) {
    h.update(`${part.length}\n`);
    h.update(new Uint8Array(Uint32Array.from(part).buffer));
  }
  return h.digest("hex");
}

/** On-disk form of a split (`saveSplit` / `loadSplit`). */
export interface SplitFile {
  format: "cmh-split";
  version: 1;
  protocol: string;
  seed: number;
  nItems: number | null;
  sha256: string;
  train: number[];
  query: number[];
  database: number[];
}

/** Write a split as JSON (index lists, seed, protocol, item count and its hash), atomically. */
export function saveSplit(path: string, split: Split): void {
  const file: SplitFile = {
    format: "cmh-split",
    version: 1,
    protocol: split.protocol,
    seed: split.seed,
    nItems: split.nItems ?? null,
    sha256: splitHash(split),
    train: Array.from(split.train),
    query: Array.from(split.query),
    database: Array.from(split.database),
  };
  writeFileAtomicSync(path, `${JSON.stringify(file)}\n`);
}

/** Read a split written by `saveSplit`, checking its format, index ranges and hash. */
export function loadSplit(path: string): Split {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new DatasetError(`loadSplit: cannot read ${path}: ${(e as Error).message}`);
  }
  let raw: Partial<SplitFile>;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DatasetError(
      `loadSplit: ${path} is not JSON (expected a cmh-split file written by saveSplit)`,
    );
  }
  if (raw.format !== "cmh-split" || raw.version !== 1) {
    throw new DatasetError(
      `loadSplit: ${path} has format ${JSON.stringify(raw.format)} version ${JSON.stringify(raw.version)}; expected format "cmh-split" version 1`,
    );
  }
  for (const k of ["train", "query", "database"] as const) {
    if (!Array.isArray(raw[k]))
      throw new DatasetError(`loadSplit: ${path} has no "${k}" index list`);
  }
  const nItems = raw.nItems ?? undefined;
  const lists = {} as Record<"train" | "query" | "database", Uint32Array>;
  for (const k of ["train", "query", "database"] as const) {
    const arr = raw[k] as number[];
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (!Number.isInteger(v) || v < 0 || (nItems !== undefined && v >= nItems)) {
        throw new DatasetError(
          `loadSplit: ${path}: ${k}[${i}] = ${v} is not an item index in [0, ${nItems ?? "∞"})`,
        );
      }
    }
    lists[k] = Uint32Array.from(arr);
  }
  const split: Split = {
    protocol: String(raw.protocol),
    seed: Number(raw.seed),
    ...(nItems !== undefined ? { nItems } : {}),
    ...lists,
  };
  const h = splitHash(split);
  if (raw.sha256 !== h) {
    throw new DatasetError(
      `loadSplit: ${path}: stored sha256 ${raw.sha256} does not match its content (${h}); the file was edited or truncated`,
    );
  }
  return split;
}
