import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations.
import * as docs from "../../scripts/docs-options.mjs";

const { END, START, driftMessage, replaceOptionsBlock, syncOptionsTables } = docs as {
  END: string;
  START: string;
  driftMessage(file: string, before: string, after: string): string;
  replaceOptionsBlock(readme: string, table: string): string | undefined;
  syncOptionsTables(
    root: string,
    tableFor: (name: string) => string | undefined,
    options?: { check?: boolean },
  ): Promise<{ updated: string[]; drifted: string[]; messages: string[] }>;
};

const TABLE =
  "| Key | Type / allowed values | Default | Description |\n|---|---|---|---|\n| `lr` | number > 0 | `0.1` | LR. |\n";

describe("replaceOptionsBlock", () => {
  it("replaces only the text between the markers", () => {
    const readme = `# M\n\n## Options\n\n${START}\nold table\n${END}\n\n## Next\n`;
    expect(replaceOptionsBlock(readme, TABLE)).toBe(
      `# M\n\n## Options\n\n${START}\n${TABLE}${END}\n\n## Next\n`,
    );
    expect(replaceOptionsBlock("# no markers\n", TABLE)).toBeUndefined();
  });

  it("refuses markers out of order, missing or repeated", () => {
    expect(() => replaceOptionsBlock(`${END}\n${START}\n`, TABLE)).toThrow(/expected one/);
    expect(() => replaceOptionsBlock(`${START}\n`, TABLE)).toThrow(/expected one/);
    expect(() => replaceOptionsBlock(`${START}${END}${START}${END}`, TABLE)).toThrow(
      /expected one/,
    );
  });
});

describe("syncOptionsTables", () => {
  const root = mkdtempSync(join(tmpdir(), "cmh-docs-options-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    mkdirSync(join(root, "packages", name), { recursive: true });
    writeFileSync(join(root, "packages", name, "README.md"), text);
  };
  write("m", `# M\n${START}\nstale\n${END}\n`);
  write("nomarkers", "# N\n");
  write("noschema", `# S\n${START}\nkept\n${END}\n`);
  const tableFor = (name: string) => (name === "noschema" ? undefined : TABLE);

  it("--check reports drift with a diff and writes nothing", async () => {
    const r = await syncOptionsTables(root, tableFor, { check: true });
    expect(r.drifted).toEqual(["packages/m/README.md"]);
    expect(r.messages[0]).toContain("- stale");
    expect(r.messages[0]).toContain("+ | `lr` | number > 0 | `0.1` | LR. |");
    expect(readFileSync(join(root, "packages/m/README.md"), "utf8")).toContain("stale");
  });

  it("rewrites drifted blocks, skips packages without markers or schema, then reports no drift", async () => {
    const r = await syncOptionsTables(root, tableFor);
    expect(r.updated).toEqual(["packages/m/README.md"]);
    expect(readFileSync(join(root, "packages/m/README.md"), "utf8")).toBe(
      `# M\n${START}\n${TABLE}${END}\n`,
    );
    expect(readFileSync(join(root, "packages/noschema/README.md"), "utf8")).toContain("kept");
    const again = await syncOptionsTables(root, tableFor, { check: true });
    expect(again.drifted).toEqual([]);
  });
});

describe("driftMessage", () => {
  it("lists removed and added lines under a header naming the file", () => {
    expect(driftMessage("README.md", "a\nb\n", "a\nc\n")).toBe(
      "--- README.md (committed)\n+++ README.md (from the config schema)\n- b\n+ c",
    );
  });
});

describe("the scaffolder template's README", () => {
  it("holds the options table of the example method's schema (what a new package starts with)", async () => {
    const { optionsTable } = await import("@cmh/tensor-core");
    const { ExampleHasherSchema } = await import("./example-hasher");
    const readme = readFileSync(
      new URL("../../templates/method/README.md", import.meta.url),
      "utf8",
    );
    expect(replaceOptionsBlock(readme, optionsTable(ExampleHasherSchema))).toBe(readme);
  });
});
