import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic";

const dir = mkdtempSync(join(tmpdir(), "cmh-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ["writeFileAtomicSync", async (p: string, d: string | Uint8Array) => writeFileAtomicSync(p, d)],
  ["writeFileAtomic", writeFileAtomic],
] as const)("%s", (name, write) => {
  it("writes text and bytes, replacing an existing file, and leaves no temporary file", async () => {
    const sub = join(dir, `${name}-ok`);
    mkdirSync(sub);
    const p = join(sub, "f.bin");
    writeFileSync(p, "old contents");
    await write(p, "new");
    expect(readFileSync(p, "utf8")).toBe("new");
    await write(p, Uint8Array.from([1, 2, 3]));
    expect(Array.from(readFileSync(p))).toEqual([1, 2, 3]);
    expect(readdirSync(sub)).toEqual(["f.bin"]);
  });
  it("keeps the old file and removes the temporary one when the rename fails", async () => {
    const sub = join(dir, `${name}-fail`);
    mkdirSync(join(sub, "target"), { recursive: true });
    writeFileSync(join(sub, "target", "keep"), "x");
    // Renaming a file over a non-empty folder fails on every platform.
    await expect(write(join(sub, "target"), "data")).rejects.toThrow();
    expect(readdirSync(sub)).toEqual(["target"]);
    expect(readFileSync(join(sub, "target", "keep"), "utf8")).toBe("x");
  });
  it("fails with the file system's error when the folder does not exist", async () => {
    await expect(write(join(dir, "missing", "f"), "data")).rejects.toThrow(/ENOENT/);
  });
});
