/**
 * Datasets the bench runs on: the generated default (no download), a smaller generated set for
 * smoke runs, and real data read by `@cmh/datasets`' loaders from a path. Every run records the
 * dataset's identity: name, protocol, split seed and hash, sizes, and the SHA-256 of its files.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import {
  type CrossModalSet,
  DatasetError,
  loadDcmh,
  loadDcmhParts,
  loadTrainTestLayout,
  makeSplit,
  PROTOCOLS,
  type ProtocolSpec,
  type Split,
  SYNTHETIC_DEFAULTS,
  splitHash,
  synthetic,
} from "@cmh/datasets";
import { writeFileAtomicSync } from "@cmh/hamming-index";
import { UsageError } from "./errors";
import { buildFeatureFormSet, FEATURE_FORM_SETS } from "./feature-forms";

/** What the user asked for: `--dataset`, `--data`, `--protocol`. */
export interface DatasetSpec {
  readonly name: string;
  readonly data?: string;
  readonly protocol?: string;
}

/** A file the dataset was read from. */
export interface DataFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Everything that identifies the items and split a cell ran on. */
export interface DatasetIdentity {
  readonly dataset: string;
  readonly synthetic: boolean;
  readonly protocol: string;
  /** Seed of the split (the run seed). */
  readonly splitSeed: number;
  readonly splitHash: string;
  readonly nItems: number;
  readonly nTrain: number;
  readonly nQuery: number;
  readonly nDatabase: number;
  readonly imageDim: number;
  readonly textDim: number;
  readonly numLabels: number;
  /** Generator options (synthetic) or null. */
  readonly generator: Record<string, unknown> | null;
  /** Files read (real data), with SHA-256; empty for generated data. */
  readonly files: readonly DataFile[];
}

/** A dataset split ready for one cell. */
export interface LoadedDataset {
  readonly set: CrossModalSet;
  readonly split: Split;
  readonly identity: DatasetIdentity;
}

interface SyntheticPreset {
  readonly options: { nQuery: number; nDatabase: number; nTrain: number };
  /** Generator seed (0 unless the preset is a differently drawn twin). */
  readonly generatorSeed?: number;
  readonly protocol: ProtocolSpec;
  readonly description: string;
}

/** Generated datasets known by name. */
export const SYNTHETIC_DATASETS: Readonly<Record<string, SyntheticPreset>> = Object.freeze({
  "synthetic-default": {
    options: {
      nQuery: SYNTHETIC_DEFAULTS.nQuery,
      nDatabase: SYNTHETIC_DEFAULTS.nDatabase,
      nTrain: SYNTHETIC_DEFAULTS.nTrain,
    },
    protocol: PROTOCOLS["synthetic-default"],
    description: "generated, MIRFlickr-25K-like: 1,000 queries, 9,000 database, 5,000 training",
  },
  "synthetic-small": {
    options: { nQuery: 200, nDatabase: 1800, nTrain: 1000 },
    protocol: { name: "synthetic-small", query: 200, train: 1000 },
    description: "generated, same generator at 1/5 size (smoke tests, examples)",
  },
  "synthetic-val": {
    options: {
      nQuery: SYNTHETIC_DEFAULTS.nQuery,
      nDatabase: SYNTHETIC_DEFAULTS.nDatabase,
      nTrain: SYNTHETIC_DEFAULTS.nTrain,
    },
    generatorSeed: 1,
    protocol: { ...PROTOCOLS["synthetic-default"], name: "synthetic-val" },
    description:
      "generated like synthetic-default but from generator seed 1 (other prototypes, items and split): the set on which presets are tuned, so no setting is chosen on synthetic-default's test labels",
  },
});

/** Real datasets known by name, with their default protocol. */
export const REAL_DATASETS: Readonly<Record<string, { protocol: string; files: string }>> =
  Object.freeze({
    mirflickr25k: {
      protocol: "mirflickr25k-5k",
      files: "mirflickr25k-iall.mat, mirflickr25k-yall.mat, mirflickr25k-lall.mat (DCMH release)",
    },
    "nus-wide": {
      protocol: "nus-wide-top10",
      files: "nus-wide-tc10-iall.mat, -yall.mat, -lall.mat (DCMH release)",
    },
    "ms-coco": { protocol: "ms-coco", files: "I_tr/T_tr/L_tr/I_te/T_te/L_te (.mat or CSV folder)" },
    "iapr-tc12": { protocol: "iapr-tc12", files: "iapr-tc12 .mat files or I_tr/... layout" },
    wiki: { protocol: "wiki", files: "I_tr/T_tr/L_tr/I_te/T_te/L_te (.mat or CSV folder)" },
    "uci-mfeat": {
      protocol: "uci-mfeat",
      files: "I_tr/T_tr/L_tr/I_te/T_te/L_te (.mat or CSV folder)",
    },
  });

/** The dataset used when `--dataset` is not given. */
export const DEFAULT_DATASET = "synthetic-default";

/** Resolve the protocol a spec runs under (its own, or the dataset's default), if known. */
export function protocolOf(spec: DatasetSpec): ProtocolSpec | undefined {
  if (spec.protocol !== undefined) {
    const p = PROTOCOLS[spec.protocol];
    if (!p) {
      throw new UsageError(
        `Unknown protocol "${spec.protocol}". Known protocols: ${Object.keys(PROTOCOLS).join(", ")}.`,
      );
    }
    return p;
  }
  const syn = SYNTHETIC_DATASETS[spec.name];
  if (syn) return syn.protocol;
  const form = FEATURE_FORM_SETS[spec.name];
  if (form) return form.protocol;
  const real = REAL_DATASETS[spec.name];
  return real ? PROTOCOLS[real.protocol] : undefined;
}

/** Check a spec before a run starts (names known, --data given for real data, path exists). */
export function validateDatasetSpec(spec: DatasetSpec): void {
  const syn = SYNTHETIC_DATASETS[spec.name];
  if (syn) {
    if (spec.data !== undefined) {
      throw new UsageError(
        `--data is not used with the generated dataset "${spec.name}"; leave it out.`,
      );
    }
  } else {
    if (spec.data === undefined) {
      const known = [
        ...Object.keys(SYNTHETIC_DATASETS),
        ...Object.keys(REAL_DATASETS),
        ...Object.keys(FEATURE_FORM_SETS),
      ].join(", ");
      throw new UsageError(
        `Dataset "${spec.name}" is not generated, so --data <path> is needed (a folder or file). Known names: ${known}; any other name works with --data and --protocol.`,
      );
    }
    if (!existsSync(spec.data)) throw new UsageError(`--data path "${spec.data}" does not exist.`);
  }
  protocolOf(spec);
}

/** Queries of a split, and how many of them share no label with any database item. */
export function queriesWithoutRelevant(
  set: CrossModalSet,
  split: { readonly query: ArrayLike<number>; readonly database: ArrayLike<number> },
): { queries: number; withoutRelevant: number } | undefined {
  const l = set.labels;
  if (!l) return undefined;
  const inDatabase = new Uint8Array(l.cols);
  for (let k = 0; k < split.database.length; k++) {
    const i = split.database[k];
    for (let c = 0; c < l.cols; c++) if (l.data[i * l.cols + c]) inDatabase[c] = 1;
  }
  let without = 0;
  for (let k = 0; k < split.query.length; k++) {
    const q = split.query[k];
    let found = false;
    for (let c = 0; c < l.cols && !found; c++)
      found = l.data[q * l.cols + c] !== 0 && inDatabase[c] === 1;
    if (!found) without++;
  }
  return { queries: split.query.length, withoutRelevant: without };
}

/** Share of queries without a relevant database item at which a run is refused as trivially wrong. */
export const MAX_SHARE_WITHOUT_RELEVANT = 0.9;

/**
 * The dataset check before a run: load the data for each seed, count the queries that share no
 * label with any database item, and refuse (UsageError) when that is all or nearly all of them
 * (every score would be about 0); otherwise say how many. Unreadable data is a UsageError too.
 */
export async function checkDataset(
  spec: DatasetSpec,
  seeds: readonly number[],
  log: (line: string) => void = () => {},
): Promise<void> {
  for (const seed of seeds) {
    let loaded: LoadedDataset;
    try {
      loaded = await loadDataset(spec, seed);
    } catch (e) {
      if (e instanceof DatasetError || e instanceof UsageError)
        throw new UsageError(`dataset "${spec.name}": ${(e as Error).message}`);
      throw e;
    }
    const c = queriesWithoutRelevant(loaded.set, loaded.split);
    if (!c || c.withoutRelevant === 0) continue;
    const what = `${c.withoutRelevant} of ${c.queries} queries (split seed ${seed}) share no label with any database item`;
    if (c.withoutRelevant >= MAX_SHARE_WITHOUT_RELEVANT * c.queries) {
      throw new UsageError(
        `dataset check: ${what}, so every score would be about 0. Check the labels: do the query and database label files use the same class ids (e.g. L_tr and L_te)?`,
      );
    }
    log(`dataset check: ${what}; they count as 0 in mAP (the leaderboard shows the count)`);
  }
}

function cacheKey(spec: DatasetSpec): string {
  return JSON.stringify([spec.name, spec.data ?? null]);
}

let cache:
  | { key: string; set: CrossModalSet; files: readonly DataFile[]; fixed?: ProtocolSpec }
  | undefined;

/** SHA-256 of files (streamed), in name order. */
export async function hashFiles(paths: readonly string[]): Promise<DataFile[]> {
  const out: DataFile[] = [];
  for (const p of [...paths].sort()) {
    const h = createHash("sha256");
    await new Promise<void>((resolve, reject) => {
      createReadStream(p)
        .on("data", (b) => h.update(b))
        .on("end", () => resolve())
        .on("error", reject);
    });
    out.push({ name: basename(p), bytes: statSync(p).size, sha256: h.digest("hex") });
  }
  return out;
}

/** True when `path` holds the I_tr/T_tr/L_tr/I_te/T_te/L_te layout (one file, or a CSV/npy folder). */
export function isTrainTestLayout(path: string): boolean {
  if (!statSync(path).isDirectory()) return true;
  return existsSync(join(path, "I_tr.csv")) || existsSync(join(path, "I_tr.npy"));
}

async function loadSet(
  spec: DatasetSpec,
): Promise<{ set: CrossModalSet; files: readonly DataFile[]; fixed?: ProtocolSpec }> {
  const key = cacheKey(spec);
  if (cache?.key === key) return cache;
  const syn = SYNTHETIC_DATASETS[spec.name];
  let set: CrossModalSet;
  let files: readonly DataFile[] = [];
  let fixed: ProtocolSpec | undefined;
  if (syn) {
    set = synthetic({ seed: syn.generatorSeed ?? 0, ...syn.options }).set;
  } else {
    validateDatasetSpec(spec);
    const path = spec.data as string;
    let readFiles: string[];
    if (FEATURE_FORM_SETS[spec.name]) {
      // A set of the feature-form suite, built from the source rows under `path`.
      const built = buildFeatureFormSet(spec.name, path);
      set = built.set;
      readFiles = built.files;
    } else if (isTrainTestLayout(path)) {
      // A fixed train (= database) / test (= query) layout: its own split unless --protocol says otherwise.
      const loaded = await loadTrainTestLayout(path, { name: spec.name });
      set = loaded.set;
      readFiles = statSync(path).isDirectory()
        ? readdirSync(path)
            .filter((f) => /^[ITL]_t[re]\.(csv|npy)$/.test(f))
            .map((f) => join(path, f))
        : [path];
      fixed = {
        name: loaded.split.protocol,
        fixedTrain: loaded.nTrain,
        nItems: loaded.nTrain + loaded.nTest,
      };
    } else {
      const parts = await loadDcmhParts(path, spec.name);
      if (!parts.image) {
        await loadDcmh(path, spec.name); // throws, naming the image files it looked for
        throw new Error(`no image features found in ${path}`);
      }
      set = { name: spec.name, image: parts.image, text: parts.text, labels: parts.labels };
      readFiles = Object.values(parts.files);
    }
    files = await hashFiles(readFiles);
  }
  cache = { key, set, files, ...(fixed ? { fixed } : {}) };
  return cache;
}

/**
 * Load (once per process) and split a dataset for one seed. Generated data is always the same
 * items (generator seed 0); the seed picks the split of random protocols. Real data files are
 * hashed (SHA-256) as they are read.
 */
export async function loadDataset(spec: DatasetSpec, seed: number): Promise<LoadedDataset> {
  const { set, files, fixed } = await loadSet(spec);
  const protocol = spec.protocol !== undefined ? protocolOf(spec) : (fixed ?? protocolOf(spec));
  if (!protocol) {
    throw new Error(
      `Dataset "${spec.name}" has no default protocol; pass --protocol (one of ${Object.keys(PROTOCOLS).join(", ")}).`,
    );
  }
  const n = set.image.rows;
  const split = makeSplit(protocol, n, seed);
  const syn = SYNTHETIC_DATASETS[spec.name];
  const identity: DatasetIdentity = {
    dataset: spec.name,
    synthetic: set.synthetic === true,
    protocol: protocol.name,
    splitSeed: seed,
    splitHash: splitHash(split),
    nItems: n,
    nTrain: split.train.length,
    nQuery: split.query.length,
    nDatabase: split.database.length,
    imageDim: set.image.cols,
    textDim: set.text.cols,
    numLabels: set.labels?.cols ?? 0,
    generator: syn
      ? { generator: "@cmh/datasets synthetic", seed: syn.generatorSeed ?? 0, ...syn.options }
      : null,
    files,
  };
  return { set, split, identity };
}

const CACHE_MAGIC = "CMHDSET1";

/**
 * Load a dataset once and write it to `file` in a flat binary form (header + Float32/Uint8
 * arrays), so that each cell's child process reads it in milliseconds instead of regenerating
 * the synthetic set or re-parsing and re-hashing the data files. Returns `file`.
 */
export async function writeDatasetCache(spec: DatasetSpec, file: string): Promise<string> {
  const { set, files, fixed } = await loadSet(spec);
  const header = Buffer.from(
    JSON.stringify({
      key: cacheKey(spec),
      name: set.name,
      synthetic: set.synthetic === true,
      image: [set.image.rows, set.image.cols],
      text: [set.text.rows, set.text.cols],
      labels: set.labels ? [set.labels.rows, set.labels.cols] : null,
      files,
      fixed: fixed ?? null,
    }),
  );
  const pad = (4 - ((CACHE_MAGIC.length + 4 + header.length) % 4)) % 4;
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length + pad);
  const parts: Uint8Array[] = [Buffer.from(CACHE_MAGIC), len, header, Buffer.alloc(pad, 0x20)];
  parts.push(
    new Uint8Array(set.image.data.buffer, set.image.data.byteOffset, set.image.data.byteLength),
  );
  parts.push(
    new Uint8Array(set.text.data.buffer, set.text.data.byteOffset, set.text.data.byteLength),
  );
  if (set.labels) parts.push(set.labels.data);
  writeFileAtomicSync(file, Buffer.concat(parts));
  return file;
}

/**
 * Make this process's `loadDataset(spec, …)` read the set from a file written by
 * `writeDatasetCache` for the same spec (a cache for another spec is refused).
 */
export function primeDatasetCache(spec: DatasetSpec, file: string): void {
  const buf = readFileSync(file);
  if (buf.toString("latin1", 0, CACHE_MAGIC.length) !== CACHE_MAGIC) {
    throw new Error(`${file} is not a cmh bench dataset cache`);
  }
  const hlen = buf.readUInt32LE(CACHE_MAGIC.length);
  const start = CACHE_MAGIC.length + 4;
  const h = JSON.parse(buf.toString("utf8", start, start + hlen)) as {
    key: string;
    name: string;
    synthetic: boolean;
    image: [number, number];
    text: [number, number];
    labels: [number, number] | null;
    files: DataFile[];
    fixed: ProtocolSpec | null;
  };
  if (h.key !== cacheKey(spec)) {
    throw new Error(`${file} caches dataset ${h.key}, not ${cacheKey(spec)}`);
  }
  // Copy into fresh, aligned arrays (the file buffer may come from Node's shared pool).
  let off = start + hlen;
  const f32 = ([r, c]: [number, number]) => {
    const out = new Float32Array(r * c);
    new Uint8Array(out.buffer).set(buf.subarray(off, off + out.byteLength));
    off += out.byteLength;
    return { rows: r, cols: c, data: out };
  };
  const image = f32(h.image);
  const text = f32(h.text);
  let labels: CrossModalSet["labels"];
  if (h.labels) {
    const [r, c] = h.labels;
    labels = { rows: r, cols: c, data: new Uint8Array(buf.subarray(off, off + r * c)) };
    off += r * c;
  }
  if (off !== buf.length) throw new Error(`${file} is truncated or corrupt`);
  const set: CrossModalSet = {
    name: h.name,
    image,
    text,
    ...(labels ? { labels } : {}),
    ...(h.synthetic ? { synthetic: true } : {}),
  };
  cache = { key: cacheKey(spec), set, files: h.files, ...(h.fixed ? { fixed: h.fixed } : {}) };
}
