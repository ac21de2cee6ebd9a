import { describe, expect, it } from "vitest";
import { Dense } from "../network/layers";
import { createRng } from "../network/rng";
import {
  activeKernelFixes,
  availableBackends,
  backendName,
  initBackend,
  installWasmFixes,
  uninstallWasmFixes,
  wasmFixesInstalled,
} from "./backend";
import { tf } from "./tf";

describe("initBackend", () => {
  it("is required before weights are created", () => {
    expect(backendName()).toBe("none");
    expect(() => new Dense(2, 2, createRng(1))).toThrow(/await initBackend\(\)/);
  });

  it("rejects an unknown backend name clearly", async () => {
    await expect(initBackend({ backend: "gpu" as never, log: false })).rejects.toThrow(
      /backend option must be one of/,
    );
  });

  it("picks a backend, logs one line naming it, and reports it", async () => {
    const lines: string[] = [];
    const info = await initBackend({ log: (l) => lines.push(l) });
    expect(["tensorflow", "wasm", "cpu"]).toContain(info.name);
    expect(backendName()).toBe(info.name);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`tfjs backend: ${info.name}`);
    if (info.name !== "tensorflow") expect(info.skipped.join(" ")).toMatch(/tfjs-node/);
    // A second call is free and silent.
    const again = await initBackend({ log: (l) => lines.push(l) });
    expect(again).toBe(info);
    expect(lines).toHaveLength(1);
  });

  it("forces cpu on request and honours CMH_BACKEND", async () => {
    const info = await initBackend({ backend: "cpu", log: false });
    expect(info.name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    process.env.CMH_BACKEND = "wasm";
    try {
      const w = await initBackend({ log: false });
      expect(w.name).toBe("wasm");
      expect(w.message).toMatch(/forced by CMH_BACKEND/);
      expect(wasmFixesInstalled()).toBe(true);
    } finally {
      delete process.env.CMH_BACKEND;
    }
  });

  it("reports the kernel fixes active on each backend, and switches back and forth", async () => {
    const avail = availableBackends();
    expect(avail).toEqual(expect.arrayContaining(["wasm", "cpu"]));
    expect(avail.indexOf("wasm")).toBeLessThan(avail.indexOf("cpu"));
    const wasm = await initBackend({ backend: "wasm", log: false });
    const fixes = ["wasm:BatchMatMul", "wasm:_FusedMatMul", "wasm:Sum", "wasm:Mean", "wasm:Tanh"];
    expect(wasm.kernelFixes).toEqual(fixes);
    expect(activeKernelFixes()).toEqual(fixes);
    expect(wasm.message).toMatch(/kernel fixes: BatchMatMul, _FusedMatMul, Sum, Mean, Tanh/);
    const cpu = await initBackend({ backend: "cpu", log: false });
    expect(cpu.kernelFixes).toEqual([]);
    expect(activeKernelFixes()).toEqual([]);
    expect(cpu.message).toMatch(/tfjs backend: cpu, no kernel fixes/);
    await initBackend({ backend: "wasm", log: false });
    expect(activeKernelFixes()).toEqual(fixes);
    uninstallWasmFixes();
    expect(activeKernelFixes()).toEqual([]);
    installWasmFixes();
    expect(activeKernelFixes()).toEqual(fixes);
  });

  it("fails clearly when the forced tensorflow backend is unavailable", async () => {
    let native = true;
    try {
      await import("@tensorflow/tfjs-node" as string);
    } catch {
      native = false;
    }
    if (native) return;
    await expect(initBackend({ backend: "tensorflow", log: false })).rejects.toThrow(
      /backend "tensorflow" was requested but is unavailable: .*tfjs-node/,
    );
  });
});

describe("WASM matMul fix", () => {
  const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);

  it("gives the built-in values and gradients for every transpose combination", async () => {
    await initBackend({ backend: "wasm", log: false });
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[7, 5], [5, 3], false, false],
      [[5, 7], [5, 3], true, false],
      [[7, 5], [3, 5], false, true],
      [[5, 7], [3, 5], true, true],
      [[40, 3], [40, 60], true, false], // the transposed-product path
      [[2, 5, 7], [2, 3, 5], true, true],
    ];
    const run = (a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean) => {
      const f = (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(x, y, ta, tb), tf.scalar(1.5)));
      const [ga, gb] = tf.grads(f)([a, b]);
      const v = tf.matMul(a, b, ta, tb);
      const out = [v.arraySync(), ga.arraySync(), gb.arraySync()];
      tf.dispose([v, ga, gb]);
      return out;
    };
    for (const [i, [sa, sb, ta, tb]] of cases.entries()) {
      const a = rand(sa, i);
      const b = rand(sb, 100 + i);
      installWasmFixes();
      const fixed = run(a, b, ta, tb);
      uninstallWasmFixes();
      const builtin = run(a, b, ta, tb);
      installWasmFixes();
      const flat = (x: unknown) => (x as number[]).flat(3) as number[];
      for (let k = 0; k < 3; k++) {
        const f = flat(fixed[k]);
        const g = flat(builtin[k]);
        expect(f.length).toBe(g.length);
        for (let j = 0; j < f.length; j++) expect(f[j]).toBeCloseTo(g[j], 4);
      }
      tf.dispose([a, b]);
    }
  });

  it("gives the built-in Sum and Mean over any axes, with gradients", async () => {
    await initBackend({ backend: "wasm", log: false });
    const x2 = rand([6, 5], 7);
    const x3 = rand([6, 5, 4], 8);
    const cases: Array<[tf.Tensor, number | number[], boolean]> = [
      [x2, 0, false],
      [x2, 0, true],
      [x2, [0, 1], false],
      [x2, -1, false],
      [x2, -2, true],
      [x3, 0, false],
      [x3, [1, 0], true],
      [x3, [0, 2], false],
    ];
    const both = () =>
      cases.flatMap(([x, axis, keepDims]) => {
        const outs = [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims)];
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.mean(v, axis, keepDims))))(x);
        const r = [...outs, g].map((t) => ({ shape: t.shape, v: Array.from(t.dataSync()) }));
        tf.dispose([...outs, g]);
        return r;
      });
    installWasmFixes();
    const fixed = both();
    uninstallWasmFixes();
    const builtin = both();
    installWasmFixes();
    for (const [i, f] of fixed.entries()) {
      expect(f.shape).toEqual(builtin[i].shape);
      for (const [j, v] of f.v.entries()) expect(v).toBeCloseTo(builtin[i].v[j], 4);
    }
    tf.dispose([x2, x3]);
  });

  it("computes tanh and its gradient like the built-in kernel", async () => {
    await initBackend({ backend: "wasm", log: false });
    const x = tf.mul(rand([2000], 3), 4);
    const run = () => {
      const y = tf.tanh(x);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.tanh(v), tf.tanh(v))))(x);
      const out = [Array.from(y.dataSync()), Array.from(g.dataSync())];
      tf.dispose([y, g]);
      return out;
    };
    installWasmFixes();
    const [fy, fg] = run();
    uninstallWasmFixes();
    const [by, bg] = run();
    installWasmFixes();
    for (const [i, v] of fy.entries()) expect(Math.abs(v - by[i])).toBeLessThan(2e-7);
    for (const [i, v] of fg.entries()) expect(Math.abs(v - bg[i])).toBeLessThan(1e-6);
    const z = tf.tensor1d([0, 1e-3, -30, 30]);
    expect(Array.from(tf.tanh(z).dataSync()).map((v) => +v.toFixed(6))).toEqual([0, 0.001, -1, 1]);
    tf.dispose([x, z]);
  });

  it("does not leak tensors", async () => {
    await initBackend({ backend: "wasm", log: false });
    const a = rand([30, 4], 1);
    const b = rand([30, 6], 2);
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 3; i++) tf.matMul(a, b, true, false).dispose();
    for (let i = 0; i < 3; i++) tf.mean(a, 0).dispose();
    for (let i = 0; i < 3; i++) tf.tanh(a).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
    tf.dispose([a, b]);
  });
});
