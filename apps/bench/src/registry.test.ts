import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type MethodEntry, REGISTRY, selectMethods } from "./registry";
import { makeFakeHasher } from "./test-fakes";

describe("registry", () => {
  it("has one line per method and the end marker right after the last entry", () => {
    const src = readFileSync(fileURLToPath(new URL("./registry.ts", import.meta.url)), "utf8");
    const lines = src.split("\n");
    const start = lines.findIndex((l) => l.startsWith("export const REGISTRY"));
    const end = lines.indexOf("// cmh:registry-end");
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(lines.filter((l) => l.trim() === "// cmh:registry-end").length).toBe(1);
    expect(lines[end + 1]).toBe("];");
    const entryLines = lines.slice(start + 1, end);
    expect(entryLines.length).toBe(REGISTRY.length);
    for (const l of entryLines)
      expect(l.trim()).toMatch(
        /^\{ name: ".+", package: "@cmh\/.+", supervised: (true|false), load: .+ \},$/,
      );
  });

  it("lists each method once, with a supervised flag that matches the class metadata", async () => {
    expect(new Set(REGISTRY.map((e) => e.name.toLowerCase())).size).toBe(REGISTRY.length);
    for (const e of REGISTRY) {
      const Cls = await e.load();
      expect(Cls.methodName).toBe(e.name);
      const h = new Cls(Cls.presets.quick);
      try {
        expect(h.meta.supervised).toBe(e.supervised);
        expect(h.meta.inputs.includes("labels")).toBe(e.supervised);
      } finally {
        h.dispose();
      }
      expect(Object.keys(Cls.presets)).toEqual(expect.arrayContaining(["quick", "paper"]));
    }
  });

  it("selects methods by name, case-insensitively, and names the known ones otherwise", () => {
    const Fake = makeFakeHasher("Fake-A");
    const reg: MethodEntry[] = [
      { name: "Fake-A", package: "@cmh/x", supervised: false, load: async () => Fake },
      { name: "Fake-B", package: "@cmh/y", supervised: true, load: async () => Fake },
    ];
    expect(selectMethods(undefined, reg).map((e) => e.name)).toEqual(["Fake-A", "Fake-B"]);
    expect(selectMethods(["fake-b", "FAKE-B"], reg).map((e) => e.name)).toEqual(["Fake-B"]);
    expect(() => selectMethods(["UCH"], reg)).toThrow(
      'Unknown method "UCH". Registered methods: Fake-A, Fake-B.',
    );
    expect(() => selectMethods(["UCH"], [])).toThrow("Registered methods: none yet.");
  });
});
