import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "@cmh/hamming-index";
import { tf } from "./tf";

/** Name written in every model.json. */
export const MODEL_FORMAT = "cmh-hasher";
/** Version of the on-disk model format this build writes and the newest it reads. */
export const MODEL_FORMAT_VERSION = 1;

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
  /** CRC-32 of weights.bin, and its size in bytes. */
  readonly weightsCrc32: number;
  readonly weightsBytes: number;
  /** Free-form extra state (JSON) a method saves with its weights. */
  readonly extra?: unknown;
}

/** Raised for unreadable, corrupt, foreign or future-version model files. */
export class ModelFormatError extends Error {
  override readonly name = "ModelFormatError";
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

/** Write `text`/`bytes` to `path` atomically (temp file in the same folder, then rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Save weights and metadata to `dir/model.json` + `dir/weights.bin`. Each file is written to a
 * temp name and renamed; model.json (which carries the CRC of weights.bin) is renamed last, so a
 * crash leaves either the old model or a detectable mismatch, never a silently mixed one.
 */
export async function saveModelFiles(
  dir: string,
  header: Omit<
    ModelFile,
    "format" | "formatVersion" | "weights" | "weightsCrc32" | "weightsBytes" | "savedAt"
  >,
  weights: Readonly<Record<string, WeightValue>>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
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
  const file: ModelFile = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    ...header,
    savedAt: new Date().toISOString(),
    weights: entries,
    weightsCrc32: crc32(bytes),
    weightsBytes: bytes.byteLength,
  };
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
    throw new ModelFormatError(
      `cannot read ${jsonPath}: ${(e as Error).message} (is "${dir}" a saved cmh model folder?)`,
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
  if (
    !Number.isInteger(file.formatVersion) ||
    file.formatVersion > MODEL_FORMAT_VERSION ||
    file.formatVersion < 1
  ) {
    throw new ModelFormatError(
      `${jsonPath} has model format version ${file.formatVersion}; this @cmh/tensor-core reads versions 1..${MODEL_FORMAT_VERSION} (upgrade @cmh/tensor-core to load it)`,
    );
  }
  if (expectedMethod !== undefined && file.method !== expectedMethod) {
    throw new ModelFormatError(
      `${jsonPath} was saved by method "${file.method}", not "${expectedMethod}": load it with ${file.method}.load()`,
    );
  }
  const binPath = join(dir, "weights.bin");
  let buf: Buffer;
  try {
    buf = await readFile(binPath);
  } catch (e) {
    throw new ModelFormatError(`cannot read ${binPath}: ${(e as Error).message}`);
  }
  if (buf.byteLength !== file.weightsBytes) {
    throw new ModelFormatError(
      `${binPath} has ${buf.byteLength} bytes, model.json expects ${file.weightsBytes} (truncated or from another save)`,
    );
  }
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (crc32(bytes) !== file.weightsCrc32) {
    throw new ModelFormatError(
      `${binPath} fails its CRC-32 check against model.json (corrupt, or from another save)`,
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
