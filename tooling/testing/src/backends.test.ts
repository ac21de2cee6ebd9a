import { packCodes } from "@cmh/hamming-index";
import { activeKernelFixes, availableBackends, backendName, initBackend } from "@cmh/tensor-core";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeOnBackends, testBackends, withBackend } from "./backends";
import { bitDisagreement } from "./cross-backend";

beforeAll(async () => {
  await initBackend({ backend: "wasm", log: false });
});

describe("testBackends", () => {
  const saved = process.env.CMH_TEST_BACKENDS;
  beforeEach(() => {
    delete process.env.CMH_TEST_BACKENDS;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.CMH_TEST_BACKENDS;
    else process.env.CMH_TEST_BACKENDS = saved;
  });

  it("is every available backend by default, wasm and cpu among them", () => {
    expect(testBackends()).toEqual(availableBackends());
    expect(testBackends()).toEqual(expect.arrayContaining(["wasm", "cpu"]));
  });

  it("follows CMH_TEST_BACKENDS and rejects names it cannot run", () => {
    process.env.CMH_TEST_BACKENDS = "cpu, wasm,cpu";
    expect(testBackends()).toEqual(["cpu", "wasm"]);
    process.env.CMH_TEST_BACKENDS = "gpu";
    expect(() => testBackends()).toThrow(/CMH_TEST_BACKENDS must list names .*"gpu"/);
    if (!availableBackends().includes("tensorflow")) {
      process.env.CMH_TEST_BACKENDS = "tensorflow";
      expect(() => testBackends()).toThrow(/asks for "tensorflow", which this process cannot run/);
    }
  });
});

describe("withBackend", () => {
  it("runs on the given backend and restores the previous one, also after a throw", async () => {
    expect(backendName()).toBe("wasm");
    const inside = await withBackend("cpu", () => [backendName(), activeKernelFixes()]);
    expect(inside).toEqual(["cpu", []]);
    expect(backendName()).toBe("wasm");
    expect(activeKernelFixes().length).toBeGreaterThan(0);
    await expect(
      withBackend("cpu", () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(backendName()).toBe("wasm");
  });
});

const seen: string[] = [];
describeOnBackends(
  "describeOnBackends",
  (backend, reference) => {
    it("runs the block's tests on its backend, the first one as the reference", () => {
      expect(backendName()).toBe(backend);
      expect(reference).toBe("wasm");
      seen.push(backend);
    });
  },
  ["wasm", "cpu"],
);

describe("after describeOnBackends", () => {
  it("ran each block on its backend and restored the backend active before", () => {
    expect(seen).toEqual(["wasm", "cpu"]);
    expect(backendName()).toBe("wasm");
  });
});

describe("bitDisagreement", () => {
  it("is the share of differing bits, and refuses code sets of different shapes", () => {
    const row = (ones: number[]) => Array.from({ length: 8 }, (_, i) => (ones.includes(i) ? 1 : 0));
    const a = packCodes(Float32Array.from([...row([0, 1]), ...row([0, 2])]), 2, 8, { from: "01" });
    const b = packCodes(Float32Array.from([...row([0]), ...row([1, 2])]), 2, 8, { from: "01" });
    expect(bitDisagreement(a, a)).toBe(0);
    expect(bitDisagreement(a, b)).toBe(3 / 16);
    const c = packCodes(Float32Array.from(row([0, 1])), 1, 8, { from: "01" });
    expect(() => bitDisagreement(a, c)).toThrow(/differ in shape: 2x8 vs 1x8/);
  });
});
