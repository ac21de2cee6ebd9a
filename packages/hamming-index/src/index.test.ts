import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type BinaryCodes,
  crc32,
  deserializeIndex,
  FlatIndex,
  type HammingIndex,
  hammingDistances,
  indexFactory,
  loadIndex,
  MultiIndexHashing,
  sliceCodes,
  unpackCodes,
  wasmAvailable,
} from "./index";
import { clusteredCodes, randomCodes, rng } from "./testutil";

/** Deliberately naive exact k-NN: distances from unpacked bits, sort by (distance, index). */
function naiveSearch(db: BinaryCodes, q: BinaryCodes, k: number) {
  const ub = unpackCodes(db, "01");
  const uq = unpackCodes(q, "01");
  const bits = db.bits;
  const kk = Math.min(k, db.n);
  const indices: number[] = [];
  const distances: number[] = [];
  for (let i = 0; i < q.n; i++) {
    const all: [number, number][] = [];
    for (let j = 0; j < db.n; j++) {
      let d = 0;
      for (let b = 0; b < bits; b++) if (uq[i * bits + b] !== ub[j * bits + b]) d++;
      all.push([d, j]);
    }
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let t = 0; t < kk; t++) {
      distances.push(all[t][0]);
      indices.push(all[t][1]);
    }
  }
  return { indices, distances, all: null };
}

/** Codes with many exact duplicates (forces ties at every distance). */
function tiedCodes(n: number, bits: number, seed: number): BinaryCodes {
  const base = randomCodes(7, bits, seed);
  const r = rng(seed + 1);
  const w = (bits + 31) >>> 5;
  const words = new Uint32Array(n * w);
  for (let j = 0; j < n; j++) {
    const c = r() % 7;
    words.set(base.words.subarray(c * w, c * w + w), j * w);
  }
  return { n, bits, words };
}

const backends = wasmAvailable() ? (["wasm", "js"] as const) : (["js"] as const);

describe("kernel backends", () => {
  it("WebAssembly is available in this runtime (the fast path is tested)", () => {
    expect(wasmAvailable()).toBe(true);
  });
  it("hammingDistances uses the wasm path for large databases and agrees with the JS kernel", () => {
    for (const bits of [16, 64, 100, 128]) {
      const db = randomCodes(5000, bits, bits);
      const q = randomCodes(3, bits, bits + 1);
      const flat = new FlatIndex(bits, { backend: "js" });
      flat.add(db);
      for (let qi = 0; qi < 3; qi++) {
        expect(hammingDistances(q, qi, db)).toEqual(flat.distances(q, qi));
      }
    }
  });
});

describe("wasm and js kernels agree across blocks and query batches", () => {
  it("20,000 codes (several 8,192-code blocks), 21 queries (partial batch of 8), ties", () => {
    for (const bits of [33, 64, 128]) {
      const db = tiedCodes(20_000, bits, bits);
      const rand = randomCodes(20_000, bits, bits + 5);
      const q = randomCodes(21, bits, bits + 1);
      for (const data of [db, rand]) {
        const a = new FlatIndex(bits, { backend: "wasm" });
        const b = new FlatIndex(bits, { backend: "js" });
        a.add(data);
        b.add(data);
        expect(a.backend).toBe("wasm");
        expect(b.backend).toBe("js");
        for (const k of [1, 1000]) expect(a.search(q, k)).toEqual(b.search(q, k));
        expect(a.rangeSearch(q, Math.floor(bits / 3))).toEqual(
          b.rangeSearch(q, Math.floor(bits / 3)),
        );
        const d = a.distances(q, 3);
        const r = a.search(q, 1000);
        for (let t = 0; t < 1000; t++)
          expect(d[r.indices[3 * 1000 + t]]).toBe(r.distances[3 * 1000 + t]);
      }
    }
  });
});

describe("FlatIndex and MultiIndexHashing agree with a naive search", () => {
  const BITS = [8, 13, 33, 64, 100, 128, 257];
  for (const bits of BITS) {
    it(`${bits} bits: random, clustered and tied codes, several sizes and k`, () => {
      const seed = bits * 31;
      const sets: [string, BinaryCodes, BinaryCodes][] = [];
      for (const n of [1, 37, 600]) {
        sets.push(["random", randomCodes(n, bits, seed + n), randomCodes(5, bits, seed + n + 1)]);
      }
      const cl = clusteredCodes(800, bits, 12, 0.05, seed);
      sets.push(["clustered", sliceCodes(cl, 0, 790), sliceCodes(cl, 790, 800)]);
      sets.push(["tied", tiedCodes(300, bits, seed), tiedCodes(4, bits, seed + 9)]);
      for (const [, db, q] of sets) {
        const indexes: HammingIndex[] = [
          ...backends.map((backend) => new FlatIndex(bits, { backend })),
          new MultiIndexHashing(bits),
          // pure hashing (no scan fallback): substrings of at most 8 and 11 bits
          new MultiIndexHashing(bits, { m: Math.ceil(bits / 8), scanFallback: false }),
          new MultiIndexHashing(bits, { m: Math.ceil(bits / 11), scanFallback: false }),
          new MultiIndexHashing(bits, { m: Math.ceil(bits / 32) }),
          new MultiIndexHashing(bits, { m: Math.ceil(bits / 12), backend: "js" }),
        ];
        for (const ix of indexes) ix.add(db);
        for (const k of [1, 5, 50, db.n + 3]) {
          const want = naiveSearch(db, q, k);
          for (const ix of indexes) {
            const got = ix.search(q, k);
            expect(got.k).toBe(Math.min(k, db.n));
            expect(Array.from(got.indices)).toEqual(want.indices);
            expect(Array.from(got.distances)).toEqual(want.distances);
          }
        }
        for (const radius of [0, 1, Math.floor(bits / 8), Math.floor(bits / 3), bits]) {
          const ref = indexes[0].rangeSearch(q, radius);
          // reference: every code within the radius, sorted by (distance, index)
          const all = naiveSearch(db, q, db.n);
          for (let i = 0; i < q.n; i++) {
            const row = all.indices.slice(i * db.n, (i + 1) * db.n);
            const rd = all.distances.slice(i * db.n, (i + 1) * db.n);
            const c = rd.filter((d) => d <= radius).length;
            expect(Array.from(ref.indices.subarray(ref.lims[i], ref.lims[i + 1]))).toEqual(
              row.slice(0, c),
            );
            expect(Array.from(ref.distances.subarray(ref.lims[i], ref.lims[i + 1]))).toEqual(
              rd.slice(0, c),
            );
          }
          for (const ix of indexes.slice(1)) {
            const got = ix.rangeSearch(q, radius);
            expect(got.lims).toEqual(ref.lims);
            expect(got.indices).toEqual(ref.indices);
            expect(got.distances).toEqual(ref.distances);
          }
        }
      }
    });
  }

  it("MIH answers clustered queries by hashing and random ones by scanning, identically to Flat", () => {
    const cl = clusteredCodes(20_000, 64, 50, 0.05, 5);
    const db = sliceCodes(cl, 0, 19_900);
    const q = sliceCodes(cl, 19_900, 20_000);
    const flat = new FlatIndex(64);
    const mih = new MultiIndexHashing(64, { m: 4 });
    flat.add(db);
    mih.add(db);
    const a = flat.search(q, 10);
    const b = mih.search(q, 10);
    expect(b.indices).toEqual(a.indices);
    expect(b.distances).toEqual(a.distances);
    expect(mih.stats.hashed).toBeGreaterThan(0);
    expect(mih.stats.hashed + mih.stats.scanned).toBe(100);
    const pure = new MultiIndexHashing(64, { m: 4, scanFallback: false });
    pure.add(db);
    expect(pure.search(q, 10)).toEqual(a);
    expect(pure.stats).toEqual({ hashed: 100, scanned: 0 });
    const rq = randomCodes(20, 64, 6);
    expect(mih.search(rq, 100).indices).toEqual(flat.search(rq, 100).indices);
    expect(mih.stats.scanned).toBeGreaterThan(0);
    expect(mih.rangeSearch(q, 6)).toEqual(flat.rangeSearch(q, 6));
  });

  it("incremental add, reset and size", () => {
    const db = randomCodes(300, 40, 1);
    const q = randomCodes(4, 40, 2);
    for (const spec of ["Flat", "MIH", "MIH3"]) {
      const ix = indexFactory(40, spec);
      expect(ix.spec).toBe(spec);
      ix.add(sliceCodes(db, 0, 100));
      ix.search(q, 3);
      ix.add(sliceCodes(db, 100, 300));
      expect(ix.size).toBe(300);
      expect(Array.from(ix.search(q, 7).indices)).toEqual(naiveSearch(db, q, 7).indices);
      expect(ix.codes().words).toEqual(db.words);
      ix.reset();
      expect(ix.size).toBe(0);
      const empty = ix.search(q, 5);
      expect(empty.k).toBe(0);
      expect(empty.indices.length).toBe(0);
      expect(Array.from(ix.rangeSearch(q, 40).lims)).toEqual([0, 0, 0, 0, 0]);
    }
  });
});

describe("errors", () => {
  const ix = new FlatIndex(64);
  ix.add(randomCodes(10, 64, 1));
  const q = randomCodes(2, 64, 2);
  it("rejects bad k, radius, bit lengths, specs and m", () => {
    for (const k of [0, -1, 2.5, Number.NaN])
      expect(() => ix.search(q, k)).toThrow(/k must be a positive integer/);
    for (const r of [-1, 65, 1.5])
      expect(() => ix.rangeSearch(q, r)).toThrow(/radius must be an integer from 0 to bits = 64/);
    expect(() => ix.search(randomCodes(2, 32, 1), 1)).toThrow(/queries have 32 bits.*64-bit/);
    expect(() => ix.add(randomCodes(2, 32, 1))).toThrow(/adding 32-bit codes/);
    expect(() => indexFactory(64, "HNSW")).toThrow(/unknown index spec "HNSW"/);
    expect(() => indexFactory(64, "MIH0")).toThrow(/unknown index spec "MIH0"/);
    expect(indexFactory(64, "MIH8").spec).toBe("MIH8");
    expect(() => new MultiIndexHashing(128, { m: 2 })).toThrow(/m must be >= 4/);
    expect(() => new FlatIndex(64, { backend: "gpu" as "js" })).toThrow(/backend/);
  });
});

describe("save / load", () => {
  const dir = mkdtempSync(join(tmpdir(), "cmh-hamming-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const db = randomCodes(500, 100, 3);
  const q = randomCodes(5, 100, 4);

  it("round-trips Flat and MIH through a file with identical results", () => {
    for (const spec of ["Flat", "MIH", "MIH5"]) {
      const ix = indexFactory(100, spec);
      ix.add(db);
      const path = join(dir, `${spec}.idx`);
      ix.save(path);
      const back = loadIndex(path);
      expect(back.spec).toBe(spec);
      expect(back.size).toBe(500);
      expect(back.codes()).toEqual(ix.codes());
      expect(back.search(q, 9)).toEqual(ix.search(q, 9));
    }
  });

  it("writes the documented header and checksum", () => {
    const ix = new FlatIndex(100);
    ix.add(db);
    const bytes = ix.serialize();
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe("CMHHAMIX");
    expect([
      dv.getUint32(8, true),
      dv.getUint32(12, true),
      dv.getUint32(16, true),
      dv.getUint32(24, true),
    ]).toEqual([1, 1, 100, 500]);
    expect(bytes.length).toBe(32 + 500 * 4 * 4 + 4);
    expect(dv.getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("rejects foreign, truncated, corrupted and random files with a clear error (fuzz)", () => {
    const ix = new MultiIndexHashing(100, { m: 5 });
    ix.add(sliceCodes(db, 0, 40));
    const good = ix.serialize();
    const r = rng(99);
    const path = join(dir, "bad.idx");
    writeFileSync(path, "hello, this is not an index at all............");
    expect(() => loadIndex(path)).toThrow(
      new RegExp(
        `cannot load ${path.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}: not a @cmh/hamming-index file`,
      ),
    );
    expect(() => deserializeIndex(good.subarray(0, 20))).toThrow(/shorter than/);
    let cases = 0;
    for (let t = 0; t < 300; t++) {
      let bad: Uint8Array;
      const kind = t % 3;
      if (kind === 0)
        bad = good.slice(0, r() % good.length); // truncated
      else if (kind === 1) {
        bad = good.slice();
        const pos = r() % bad.length;
        bad[pos] ^= 1 << (r() % 8); // one flipped bit
      } else {
        bad = new Uint8Array(r() % 400);
        for (let i = 0; i < bad.length; i++) bad[i] = r() & 255;
        if (t % 2) bad.set(good.subarray(0, Math.min(12, bad.length))); // right magic and version
      }
      expect(() => deserializeIndex(bad)).toThrow(/cannot load index data: /);
      cases++;
    }
    expect(cases).toBe(300);
    // an unsupported version with a valid checksum is named as such
    const v2 = good.slice();
    new DataView(v2.buffer).setUint32(8, 2, true);
    new DataView(v2.buffer).setUint32(v2.length - 4, crc32(v2.subarray(0, v2.length - 4)), true);
    expect(() => deserializeIndex(v2)).toThrow(/format version 2 is not supported/);
    // a valid checksum over an impossible MIH parameter (m = 1 at 100 bits: a 100-bit substring)
    const m1 = good.slice();
    new DataView(m1.buffer).setUint32(20, 1, true);
    new DataView(m1.buffer).setUint32(m1.length - 4, crc32(m1.subarray(0, m1.length - 4)), true);
    expect(() => deserializeIndex(m1)).toThrow(
      /cannot load index data: m = 1 gives 100-bit substrings/,
    );
    expect(readFileSync(path, "utf8")).toContain("hello");
  });
});
