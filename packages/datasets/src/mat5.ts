import { constants, inflateSync } from "node:zlib";
import { DatasetError } from "./errors";
import { columnToRowMajor, type MatArray, type MatClass, type NumericArray } from "./mat-types";
import { fromSparse } from "./matrix";

// Data types (miXXX) and array classes (mxXXX) of the MAT-file v5 format.
const MI_NAMES: Record<number, string> = {
  1: "miINT8",
  2: "miUINT8",
  3: "miINT16",
  4: "miUINT16",
  5: "miINT32",
  6: "miUINT32",
  7: "miSINGLE",
  9: "miDOUBLE",
  12: "miINT64",
  13: "miUINT64",
  14: "miMATRIX",
  15: "miCOMPRESSED",
  16: "miUTF8",
  17: "miUTF16",
  18: "miUTF32",
};
const MI_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 2,
  5: 4,
  6: 4,
  7: 4,
  9: 8,
  12: 8,
  13: 8,
  16: 1,
  17: 2,
  18: 4,
};
const MX_CLASS: Record<number, MatClass> = {
  1: "cell",
  2: "struct",
  3: "object",
  4: "char",
  5: "double", // sparse; its class is double or logical
  6: "double",
  7: "single",
  8: "int8",
  9: "uint8",
  10: "int16",
  11: "uint16",
  12: "int32",
  13: "uint32",
  14: "int64",
  15: "uint64",
};

class Corrupt extends Error {}

interface Element {
  type: number;
  nbytes: number;
  data: number; // offset of the data
  next: number; // offset of the next element
}

class Reader {
  readonly view: DataView;
  constructor(
    readonly buf: Uint8Array,
    readonly le: boolean,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u32(off: number): number {
    if (off + 4 > this.buf.length)
      throw new Corrupt(`truncated: needed 4 bytes at offset ${off} of ${this.buf.length}`);
    return this.view.getUint32(off, this.le);
  }
  element(off: number, end: number): Element {
    const w = this.u32(off);
    if (w >>> 16 !== 0) {
      // Small data element: 2-byte size, 2-byte type, up to 4 bytes of data in the tag itself.
      return { type: w & 0xffff, nbytes: w >>> 16, data: off + 4, next: off + 8 };
    }
    const type = w;
    const nbytes = this.u32(off + 4);
    const data = off + 8;
    if (data + nbytes > end) {
      throw new Corrupt(
        `truncated: element ${MI_NAMES[type] ?? `type ${type}`} at offset ${off} declares ${nbytes} bytes but only ${end - data} remain`,
      );
    }
    const next = type === 15 ? data + nbytes : data + Math.ceil(nbytes / 8) * 8;
    return { type, nbytes, data, next };
  }
  /** Decode a numeric element into numbers of a JS typed array. */
  numbers(el: Element): NumericArray | Float64Array {
    const size = MI_SIZE[el.type];
    if (!size || el.type === 16 || el.type === 17 || el.type === 18) {
      throw new Corrupt(
        `expected a numeric element, found ${MI_NAMES[el.type] ?? `type ${el.type}`}`,
      );
    }
    const n = Math.floor(el.nbytes / size);
    const bytes = this.buf.slice(el.data, el.data + n * size); // aligned copy
    if (bytes.length !== n * size) {
      throw new Corrupt(
        `element at byte ${el.data - 8} declares ${el.nbytes} bytes beyond the end of its container`,
      );
    }
    const hostLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    if (this.le !== hostLE && size > 1) {
      for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
    }
    const b = bytes.buffer;
    switch (el.type) {
      case 1:
        return new Int8Array(b);
      case 2:
        return new Uint8Array(b);
      case 3:
        return new Int16Array(b);
      case 4:
        return new Uint16Array(b);
      case 5:
        return new Int32Array(b);
      case 6:
        return new Uint32Array(b);
      case 7:
        return new Float32Array(b);
      case 9:
        return new Float64Array(b);
      case 12:
        return Float64Array.from(new BigInt64Array(b), (x) => Number(x));
      case 13:
        return Float64Array.from(new BigUint64Array(b), (x) => Number(x));
      default:
        throw new Corrupt(`unsupported numeric type ${el.type}`);
    }
  }
}

function targetArray(cls: MatClass, src: NumericArray): NumericArray {
  const make = (C: new (n: number) => NumericArray): NumericArray => {
    if (src.constructor === C) return src;
    const out = new C(src.length);
    out.set(src as never);
    return out;
  };
  switch (cls) {
    case "single":
      return make(Float32Array);
    case "int8":
      return make(Int8Array);
    case "uint8":
    case "logical":
      return make(Uint8Array);
    case "int16":
      return make(Int16Array);
    case "uint16":
      return make(Uint16Array);
    case "int32":
      return make(Int32Array);
    case "uint32":
      return make(Uint32Array);
    default:
      // double, int64, uint64 (exact up to 2^53). MATLAB stores integer-valued doubles compactly
      // (e.g. as miUINT8); keep that integer array: the values are exact and 8× smaller.
      if (cls === "double" && !(src instanceof Float32Array) && !(src instanceof Float64Array))
        return src;
      return make(Float64Array);
  }
}

function parseMatrix(
  r: Reader,
  start: number,
  end: number,
  want: (name: string) => boolean,
): MatArray | null {
  if (start >= end) return null; // empty miMATRIX (e.g. an empty cell)
  const flagsEl = r.element(start, end);
  const flags = r.u32(flagsEl.data);
  const classId = flags & 0xff;
  const complex = (flags & 0x800) !== 0;
  const logical = (flags & 0x200) !== 0;
  const dimsEl = r.element(flagsEl.next, end);
  const dims = Array.from(r.numbers(dimsEl));
  const nameEl = r.element(dimsEl.next, end);
  const name = new TextDecoder("latin1").decode(
    r.buf.subarray(nameEl.data, nameEl.data + nameEl.nbytes),
  );
  let cls: MatClass = MX_CLASS[classId] ?? "unknown";
  if (logical) cls = "logical";
  const base = { name, class: cls, dims, ...(complex ? { complex: true } : {}) };
  if (!want(name) || cls === "cell" || cls === "struct" || cls === "object" || cls === "unknown") {
    return { ...base, loaded: false };
  }
  const total = dims.reduce((a, b) => a * b, 1);
  if (classId === 5) {
    const irEl = r.element(nameEl.next, end);
    const jcEl = r.element(irEl.next, end);
    const ir = r.numbers(irEl);
    const jc = r.numbers(jcEl);
    const cols = dims[1];
    if (dims.length !== 2 || jc.length !== cols + 1) {
      throw new Corrupt(
        `sparse variable ${name}: ${jc.length} column pointers for dims ${dims.join("×")} (expected columns + 1)`,
      );
    }
    const nnz = jc[cols] ?? 0;
    if (!Number.isInteger(nnz) || nnz < 0 || nnz > ir.length) {
      throw new Corrupt(`sparse variable ${name}: ${nnz} non-zeros but ${ir.length} row indices`);
    }
    for (let c = 0; c < cols; c++) {
      if (!(jc[c] >= 0 && jc[c] <= jc[c + 1]))
        throw new Corrupt(`sparse variable ${name}: column pointers are not increasing at ${c}`);
    }
    let pr: ArrayLike<number>;
    if (jcEl.next < end) pr = r.numbers(r.element(jcEl.next, end));
    else pr = new Float64Array(nnz).fill(1);
    const rowIdx = new Uint32Array(nnz);
    const colIdx = new Uint32Array(nnz);
    for (let c = 0; c < cols; c++) for (let k = jc[c]; k < jc[c + 1]; k++) colIdx[k] = c;
    for (let k = 0; k < nnz; k++) rowIdx[k] = ir[k];
    const vals = pr.length >= nnz ? Array.prototype.slice.call(pr, 0, nnz) : new Array(nnz).fill(1);
    return { ...base, sparse: fromSparse(dims[0], cols, rowIdx, colIdx, vals), loaded: true };
  }
  const prEl = r.element(nameEl.next, end);
  if (cls === "char") {
    let text: string;
    if (prEl.type === 16)
      text = new TextDecoder("utf-8").decode(r.buf.subarray(prEl.data, prEl.data + prEl.nbytes));
    else text = String.fromCharCode(...Array.from(r.numbers(prEl)));
    return { ...base, text, loaded: true };
  }
  const raw = r.numbers(prEl);
  if (raw.length !== total) {
    throw new Corrupt(
      `variable ${name}: ${raw.length} values stored for dims ${dims.join("×")} (${total} expected)`,
    );
  }
  const data = columnToRowMajor(targetArray(cls, raw), dims);
  return { ...base, data, loaded: true };
}

/** Parse a MAT v5 file's bytes. Throws DatasetError naming `path` on corrupt or truncated input. */
export function parseMat5(
  buf: Uint8Array,
  path: string,
  variables?: readonly string[],
): { header: string; variables: Record<string, MatArray> } {
  const want = (name: string): boolean => !variables || variables.includes(name);
  if (buf.length < 128) {
    throw new DatasetError(
      `${path}: truncated MAT v5 file: ${buf.length} bytes, shorter than the 128-byte header`,
    );
  }
  const endian = String.fromCharCode(buf[126], buf[127]);
  if (endian !== "IM" && endian !== "MI") {
    throw new DatasetError(
      `${path}: not a MAT v5 file: expected the endian indicator "IM" or "MI" at bytes 126-127, found ${JSON.stringify(endian)}`,
    );
  }
  const r = new Reader(buf, endian === "IM");
  const header = new TextDecoder("latin1").decode(buf.subarray(0, 116)).replace(/[\s\0]+$/, "");
  const out: Record<string, MatArray> = {};
  let off = 128;
  try {
    while (off + 8 <= buf.length) {
      const el = r.element(off, buf.length);
      if (el.type === 15 && variables) {
        // Inflate a prefix first: the header (class, dims, name) is at the start, so variables that
        // are not wanted are listed without decompressing their data.
        const head = inflatePrefix(buf.subarray(el.data, el.data + Math.min(el.nbytes, 1024)));
        if (head && head.length >= 16) {
          const hr = new Reader(head, r.le);
          const type = hr.u32(0);
          if (type === 14) {
            try {
              const m = parseMatrix(hr, 8, head.length, () => false);
              if (m && !want(m.name)) {
                out[m.name] = m;
                off = el.next;
                continue;
              }
            } catch {
              // header longer than the prefix: fall through to a full inflate
            }
          }
        }
      }
      if (el.type === 15) {
        let inner: Uint8Array;
        try {
          inner = new Uint8Array(inflateSync(buf.subarray(el.data, el.data + el.nbytes)));
        } catch (e) {
          throw new Corrupt(
            `compressed element at byte ${off} (${el.nbytes} bytes) could not be decompressed (${(e as Error).message}); the file is truncated or corrupt`,
          );
        }
        const ir = new Reader(inner, r.le);
        const iel = ir.element(0, inner.length);
        if (iel.type === 14) {
          const m = parseMatrix(ir, iel.data, iel.data + iel.nbytes, want);
          if (m) out[m.name] = m;
        }
      } else if (el.type === 14) {
        const m = parseMatrix(r, el.data, el.data + el.nbytes, want);
        if (m) out[m.name] = m;
      } else if (!MI_NAMES[el.type]) {
        throw new Corrupt(`unknown element type ${el.type} at byte ${off}`);
      }
      off = el.next;
    }
  } catch (e) {
    if (e instanceof Corrupt || e instanceof RangeError || e instanceof TypeError) {
      throw new DatasetError(
        `${path}: corrupt MAT v5 file (${e.message}). Variables read before the problem: ${Object.keys(out).join(", ") || "none"}`,
        {
          file: path,
        },
      );
    }
    throw e;
  }
  return { header, variables: out };
}

/** Inflate as much of a zlib stream prefix as possible (undefined if it is not zlib data). */
function inflatePrefix(prefix: Uint8Array): Uint8Array | undefined {
  try {
    return new Uint8Array(inflateSync(prefix, { finishFlush: constants.Z_SYNC_FLUSH }));
  } catch {
    return undefined;
  }
}
