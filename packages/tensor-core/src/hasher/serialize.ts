import { createHash } from "node:crypto";
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@cmh/hamming-index";
import { tf } from "../backend/tf";

export { writeFileAtomic };

/** Name written in every model.json. */
export const MODEL_FORMAT = "cmh-hasher";
/**
 * Version of the on-disk model format this build writes and the only one it reads. Version 2
 * added the integrity check (`checksum` over model.json, SHA-256 of every other file); version 1
 * files had none and are refused with a message saying so.
 */
export const MODEL_FORMAT_VERSION = 2;
/** The other files of a saved model, each covered by `files[name].sha256` in model.json. */
export const MODEL_FILES = ["weights.bin"] as const;

/** A weight as stored: a tfjs variable/tensor, or a plain array (pure-JS methods). */
export type WeightValue =
  | tf.Tensor
  | Float32Array
  | { readonly shape: readonly number[]; readonly data: Float32Array };

/** One entry of the tensor manifest in model.json. */
export interface ManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: "float32";
  /** Offset in float32 elements into weights.bin. */
  readonly offset: number;
  readonly length: number;
}

/** Contents of `model.json`. */
export interface ModelFile {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  readonly method: string;
  readonly packageVersion?: string;
  readonly config: unknown;
  /** Input widths the model was fitted on. */
  readonly dims: { readonly image: number; readonly text: number };
  readonly backend?: string;
  readonly savedAt: string;
  readonly weights: readonly ManifestEntry[];
  /** Size in bytes and SHA-256 (hex) of every other file of the model (weights.bin). */
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
  /** Free-form extra state (JSON) a method saves with its weights. */
  readonly extra?: unknown;
  /** "sha256:<hex>" of the canonical JSON of every other field of model.json (keys sorted). */
  readonly checksum: string;
}

/** Raised for unreadable, corrupt, foreign or future-version model files. */
export class ModelFormatError extends Error {
  override readonly name = "ModelFormatError";
}

/** JSON with object keys sorted at every level: the form the model.json checksum covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The checksum model.json carries: SHA-256 of the canonical JSON of all its other fields. */
export function modelChecksum(file: Readonly<Record<string, unknown>>): string {
  const { checksum: _omit, ...rest } = file;
  return `sha256:${sha256(canonicalJson(rest))}`;
}

function shapeAndData(name: string, v: WeightValue): { shape: number[]; data: Float32Array } {
  if (v instanceof tf.Tensor) {
    const d = v.dataSync();
    return { shape: [...v.shape], data: d instanceof Float32Array ? d : Float32Array.from(d) };
  }
  if (v instanceof Float32Array) return { shape: [v.length], data: v };
  if (v && v.data instanceof Float32Array) return { shape: [...v.shape], data: v.data };
  throw new TypeError(`weight "${name}" is neither a tensor nor a Float32Array`);
}

/**
 * Save weights and metadata to `dir/model.json` + `dir/weights.bin`. Each file is written to a
 * temp name and renamed; model.json (which carries the SHA-256 of weights.bin and a checksum of
 * itself) is renamed last, so a crash or a later edit leaves a detectable mismatch, never a
 * silently different model.
 */
export async function saveModelFiles(
  dir: string,
  header: Omit<
    ModelFile,
    "format" | "formatVersion" | "weights" | "files" | "checksum" | "savedAt"
  >,
  weights: Readonly<Record<string, WeightValue>>,
): Promise<void> {
  const existing = await stat(dir).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new ModelFormatError(
      `cannot save the model to ${dir}: it is an existing file, not a folder (a model is a folder holding model.json and weights.bin; give a folder path)`,
    );
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new ModelFormatError(
      `cannot create the model folder ${dir}: ${(e as NodeJS.ErrnoException).code === "ENOTDIR" || (e as NodeJS.ErrnoException).code === "EEXIST" ? "a part of the path is an existing file" : (e as Error).message}`,
    );
  }
  const entries: ManifestEntry[] = [];
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const name of Object.keys(weights).sort()) {
    const { shape, data } = shapeAndData(name, weights[name]);
    entries.push({ name, shape, dtype: "float32", offset, length: data.length });
    parts.push(data);
    offset += data.length;
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const bytes = new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
  const body = JSON.parse(
    JSON.stringify({
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      ...header,
      savedAt: new Date().toISOString(),
      weights: entries,
      files: { "weights.bin": { bytes: bytes.byteLength, sha256: sha256(bytes) } },
    }),
  ) as Record<string, unknown>;
  const file = { ...body, checksum: modelChecksum(body) };
  await writeFileAtomic(join(dir, "weights.bin"), bytes);
  await writeFileAtomic(join(dir, "model.json"), `${JSON.stringify(file, null, 2)}\n`);
}

/** Read and check `dir/model.json` and `dir/weights.bin`; weights by name with shapes. */
export async function loadModelFiles(
  dir: string,
  expectedMethod?: string,
): Promise<{ file: ModelFile; weights: Map<string, { shape: number[]; data: Float32Array }> }> {
  const jsonPath = join(dir, "model.json");
  let text: string;
  try {
    text = await readFile(jsonPath, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "ENOTDIR"
          ? `"${dir}" is a file, not a model folder`
          : code === "EISDIR"
            ? "it is a folder, not a file"
            : (e as Error).message;
    throw new ModelFormatError(
      `cannot read ${jsonPath}: ${why} (is "${dir}" a saved cmh model folder?)`,
    );
  }
  let file: ModelFile;
  try {
    file = JSON.parse(text) as ModelFile;
  } catch (e) {
    throw new ModelFormatError(
      `${jsonPath} is not valid JSON (${(e as Error).message}); the file is corrupt or truncated`,
    );
  }
  if (!file || file.format !== MODEL_FORMAT) {
    throw new ModelFormatError(
      `${jsonPath} is not a cmh model (format ${JSON.stringify(file?.format)}, expected "${MODEL_FORMAT}")`,
    );
  }
  if (file.formatVersion === 1) {
    throw new ModelFormatError(
      `${jsonPath} was saved by an older format version (1, without an integrity check); this @cmh/tensor-core reads version ${MODEL_FORMAT_VERSION} only: fit the model again and save it`,
    );
  }
  if (!Number.isInteger(file.formatVersion) || file.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelFormatError(
      `${jsonPath} has model format version ${JSON.stringify(file.formatVersion)}; this @cmh/tensor-core reads version ${MODEL_FORMAT_VERSION} (upgrade @cmh/tensor-core to load a newer one)`,
    );
  }
  if (typeof file.checksum !== "string") {
    throw new ModelFormatError(
      `${jsonPath} has no checksum field: the file was edited or is corrupt`,
    );
  }
  if (modelChecksum(file as unknown as Record<string, unknown>) !== file.checksum) {
    throw new ModelFormatError(
      `${jsonPath} fails its integrity check: its content differs from what was saved (edited or corrupt); save the model again`,
    );
  }
  if (expectedMethod !== undefined && file.method !== expectedMethod) {
    throw new ModelFormatError(
      `${jsonPath} was saved by method "${file.method}", not "${expectedMethod}": load it with ${file.method}.load()`,
    );
  }
  const binPath = join(dir, "weights.bin");
  const expect = file.files?.["weights.bin"];
  if (!expect || !Number.isSafeInteger(expect.bytes) || typeof expect.sha256 !== "string") {
    throw new ModelFormatError(`${jsonPath} does not list weights.bin in its files`);
  }
  let buf: Buffer;
  try {
    buf = await readFile(binPath);
  } catch (e) {
    throw new ModelFormatError(
      `cannot read ${binPath}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "the file is missing" : (e as Error).message}`,
    );
  }
  if (buf.byteLength !== expect.bytes) {
    throw new ModelFormatError(
      `${binPath} has ${buf.byteLength} bytes, model.json expects ${expect.bytes} (truncated or from another save)`,
    );
  }
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (sha256(bytes) !== expect.sha256) {
    throw new ModelFormatError(
      `${binPath} fails its SHA-256 integrity check against model.json (corrupt, edited, or from another save)`,
    );
  }
  if (buf.byteLength % 4 !== 0) {
    throw new ModelFormatError(
      `${binPath}: ${buf.byteLength} bytes is not a whole number of float32 values`,
    );
  }
  const all = new Float32Array(buf.byteLength / 4);
  new Uint8Array(all.buffer).set(bytes);
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const e of file.weights) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (size !== e.length || e.offset + e.length > all.length) {
      throw new ModelFormatError(
        `${jsonPath}: manifest entry "${e.name}" is inconsistent (shape [${e.shape}], length ${e.length})`,
      );
    }
    weights.set(e.name, { shape: [...e.shape], data: all.subarray(e.offset, e.offset + e.length) });
  }
  return { file, weights };
}
