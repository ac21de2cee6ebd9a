import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { HasherClass } from "@cmh/tensor-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupConformance, conformanceChecks, prepareConformance } from "./conformance";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const script = join(repo, "tooling", "scripts", "new-method.mjs");

/** A minimal copy of the repository layout the scaffolder touches. */
function fakeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "cmh-scaffold-"));
  mkdirSync(join(root, "packages"));
  mkdirSync(join(root, ".changeset"));
  cpSync(join(repo, "tooling", "templates"), join(root, "tooling", "templates"), {
    recursive: true,
  });
  mkdirSync(join(root, "tooling", "testing", "src"), { recursive: true });
  cpSync(
    join(repo, "tooling", "testing", "src", "example-hasher.ts"),
    join(root, "tooling", "testing", "src", "example-hasher.ts"),
  );
  mkdirSync(join(root, "apps", "bench", "src"), { recursive: true });
  const registry = `import type { HasherClass } from "@cmh/tensor-core";\nexport const REGISTRY = [\n  { name: "X", package: "@cmh/x", supervised: false, load: async () => null as unknown as HasherClass<object> },\n// cmh:registry-end\n];\n`;
  writeFileSync(join(root, "apps", "bench", "src", "registry.ts"), registry);
  writeFileSync(
    join(root, "apps", "bench", "package.json"),
    `${JSON.stringify({ name: "@cmh/bench", dependencies: { "@cmh/x": "workspace:^", vega: "^6" } }, null, 2)}\n`,
  );
  return root;
}

function scaffold(root: string, ...args: string[]): string {
  return execFileSync("node", [script, ...args, "--root", root, "--no-install"], {
    encoding: "utf8",
    stdio: "pipe",
  });
}

describe("pnpm new-method", () => {
  let root: string;
  beforeAll(() => {
    root = fakeRoot();
    scaffold(root, "demo-hash");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("creates the package from the template with names filled in", () => {
    const pkg = JSON.parse(
      readFileSync(join(root, "packages", "demo-hash", "package.json"), "utf8"),
    );
    expect(pkg.name).toBe("@cmh/demo-hash");
    const src = readFileSync(join(root, "packages", "demo-hash", "src", "method.ts"), "utf8");
    expect(src).toContain("export class DemoHash extends BaseHasher<DemoHashConfig>");
    expect(src).toContain('const NAME = "DemoHash";');
    expect(src).toContain("static readonly methodName: string = NAME;");
    expect(src).toContain('const TITLE = "DemoHash cross-modal hashing";');
    expect(src).not.toContain("ExampleHasher");
    expect(src).not.toContain("also the template");
    expect(src).not.toMatch(/__(name|Class|Display|Title)__/);
    // The generated method declares its config with a schema and throws one error class.
    expect(src).toContain("export const DemoHashSchema = configSchema({");
    expect(src).toContain("static readonly schema = DemoHashSchema;");
    expect(src).toContain("createOptimizer(");
    expect(src).not.toContain("RangeError");
    const test = readFileSync(join(root, "packages", "demo-hash", "src", "method.test.ts"), "utf8");
    expect(test).not.toContain("RangeError");
    expect(test).toContain("ConfigError");
    const readme = readFileSync(join(root, "packages", "demo-hash", "README.md"), "utf8");
    const headings = readme.split("\n").filter((l) => /^#{1,3} /.test(l));
    expect(headings).toEqual([
      "# @cmh/demo-hash",
      "## Install",
      "## Example",
      "## API",
      "### Presets",
      "### Options",
      "## Algorithm",
      "## Departures from the paper",
      "## Results",
      "## Reference",
    ]);
    expect(readme).toContain("<!-- options-table:start -->\n| Key | Type / allowed values |");
    expect(readme).toContain('import { DemoHash } from "@cmh/demo-hash";');
    expect(readFileSync(join(root, ".changeset", "demo-hash-initial.md"), "utf8")).toContain(
      '"@cmh/demo-hash": minor',
    );
  });

  it("adds one registry line before the end marker and the bench dependency", () => {
    const reg = readFileSync(join(root, "apps", "bench", "src", "registry.ts"), "utf8").split("\n");
    const end = reg.findIndex((l) => l.includes("cmh:registry-end"));
    expect(reg[end - 1]).toBe(
      '{ name: "DemoHash", package: "@cmh/demo-hash", supervised: false, load: async () => (await import("@cmh/demo-hash")).DemoHash },',
    );
    expect(reg.filter((l) => l.includes("@cmh/demo-hash"))).toHaveLength(1);
    const bench = JSON.parse(readFileSync(join(root, "apps", "bench", "package.json"), "utf8"));
    expect(Object.keys(bench.dependencies)).toEqual(["@cmh/demo-hash", "@cmh/x", "vega"]);
    expect(bench.dependencies["@cmh/demo-hash"]).toBe("workspace:^");
  });

  it("refuses bad names, existing packages and duplicate registrations", () => {
    expect(() => scaffold(root, "Bad_Name")).toThrow(/kebab-case/);
    expect(() => scaffold(root, "demo-hash")).toThrow(/already exists/);
  });

  it("marks supervised methods and upper-cases short names", () => {
    scaffold(root, "abc", "--supervised");
    const src = readFileSync(join(root, "packages", "abc", "src", "method.ts"), "utf8");
    expect(src).toContain("export class ABC extends");
    expect(src).toContain("static readonly supervised: boolean = true;");
    expect(src).toContain('static readonly inputs = ["image", "text", "labels"] as const;');
    rmSync(join(root, "packages", "abc"), { recursive: true });
    expect(() => scaffold(root, "abc")).toThrow(/already registered/);
  });

  it("generates a method that passes the conformance suite", async () => {
    const mod = (await import(join(root, "packages", "demo-hash", "src", "index.ts"))) as Record<
      string,
      unknown
    >;
    const Method = mod.DemoHash as HasherClass<{ bits: number; epochs: number }>;
    const ctx = await prepareConformance(Method, { config: { epochs: 2, bits: 16 } });
    try {
      for (const [title, check] of Object.entries(conformanceChecks)) {
        try {
          await check(ctx);
        } catch (e) {
          throw new Error(`generated method fails "${title}": ${(e as Error).message}`);
        }
      }
    } finally {
      await cleanupConformance(ctx);
    }
  });
});
