#!/usr/bin/env node
// Type-checks the TypeScript examples of the documentation against the built packages.
//
// Every ```ts / ```typescript block that imports `@cmh/*`, in every README.md of the repository
// and in docs/*.md (docs/experiments/ is a record of runs, not documentation), is written to a
// module of its own under the gitignored `.readme-check/` folder, where `node_modules/@cmh/<name>`
// links to `packages/<name>`: imports resolve through each package's `exports` map to its
// `dist/*.d.ts`, as they do for a user (run `pnpm build` first). The modules are then type-checked
// together (strict, NodeNext resolution, the equivalent of `tsc --noEmit`); each error is reported
// at the README line it comes from. A block opened with ```ts no-check is skipped (for a fragment
// such as one line of a list), and so are the scaffolder's templates (tooling/templates/), whose
// placeholders name packages that do not exist yet.
//
// Usage: node tooling/scripts/check-readme-code.mjs [--verbose]
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(root, "package.json"));
const ts = require("typescript");
const verbose = process.argv.includes("--verbose");
const SKIP_DIRS = new Set([
  "node_modules",
  "dist",
  ".git",
  ".turbo",
  ".readme-check",
  "results",
  "coverage",
  ".tmp",
  ".pack",
]);

/** The Markdown files whose examples are checked, relative to the repository root. */
function documentationFiles() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (
          !SKIP_DIRS.has(entry.name) &&
          !entry.name.startsWith(".") &&
          rel !== "tooling/templates"
        )
          walk(rel);
      } else if (entry.name === "README.md") {
        found.push(rel);
      }
    }
  };
  walk("");
  if (existsSync(join(root, "docs"))) {
    for (const name of readdirSync(join(root, "docs"))) {
      if (name.endsWith(".md") && name !== "README.md") found.push(`docs/${name}`);
    }
  }
  return found.sort();
}

/**
 * Fenced code blocks of a Markdown text: `{ lang, attrs, code, line }`, where `line` is the
 * 1-based line of the block's first code line. Fences nested in a longer fence (a template
 * showing Markdown) belong to the outer block and are not returned.
 */
function codeBlocks(text) {
  const lines = text.split(/\r?\n/);
  const blocks = [];
  let open = null;
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!open) {
      if (m) {
        const [lang = "", ...attrs] = m[2].trim().split(/\s+/);
        open = { fence: m[1], lang: lang.toLowerCase(), attrs, start: i + 1, body: [] };
      }
    } else if (
      m &&
      m[1][0] === open.fence[0] &&
      m[1].length >= open.fence.length &&
      m[2].trim() === ""
    ) {
      blocks.push({
        lang: open.lang,
        attrs: open.attrs,
        code: open.body.join("\n"),
        line: open.start + 1,
      });
      open = null;
    } else {
      open.body.push(lines[i]);
    }
  }
  return blocks;
}

const importsCmh = (code) => /(?:from\s+|import\s*\(\s*|import\s+)["']@cmh\/[a-z0-9-]+/.test(code);

const workDir = join(root, ".readme-check");
rmSync(workDir, { recursive: true, force: true });
mkdirSync(join(workDir, "node_modules", "@cmh"), { recursive: true });
writeFileSync(join(workDir, "package.json"), '{ "private": true, "type": "module" }\n');
for (const name of readdirSync(join(root, "packages"))) {
  const pkgFile = join(root, "packages", name, "package.json");
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  if (!pkg.name?.startsWith("@cmh/")) continue;
  if (!existsSync(join(root, "packages", name, "dist"))) {
    console.error(`check-readme-code: packages/${name}/dist is missing; run \`pnpm build\` first`);
    process.exit(1);
  }
  symlinkSync(
    join("..", "..", "..", "packages", name),
    join(workDir, "node_modules", pkg.name),
    "dir",
  );
}

const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: ["node"],
  typeRoots: [join(root, "node_modules", "@types")],
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  esModuleInterop: true,
};

const origin = new Map(); // module path -> { file, line }
let skipped = 0;
for (const file of documentationFiles()) {
  const text = readFileSync(join(root, file), "utf8");
  for (const block of codeBlocks(text)) {
    if (block.lang !== "ts" && block.lang !== "typescript") continue;
    if (!importsCmh(block.code)) continue;
    if (block.attrs.includes("no-check")) {
      skipped++;
      continue;
    }
    const name = `${file.replace(/[^A-Za-z0-9]+/g, "_")}_L${block.line}.ts`;
    const path = join(workDir, name);
    writeFileSync(path, `${block.code}\n`);
    origin.set(path, { file, line: block.line });
  }
}
writeFileSync(
  join(workDir, "tsconfig.json"),
  `${JSON.stringify({ compilerOptions: { target: "ES2022", lib: ["ES2022"], module: "NodeNext", moduleResolution: "NodeNext", types: ["node"], strict: true, skipLibCheck: true, noEmit: true, esModuleInterop: true }, include: ["*.ts"] }, null, 2)}\n`,
);

const program = ts.createProgram([...origin.keys()], compilerOptions);
const diagnostics = ts.getPreEmitDiagnostics(program);
let errors = 0;
for (const d of diagnostics) {
  if (d.category !== ts.DiagnosticCategory.Error) continue;
  errors++;
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n    ");
  const src = d.file && origin.get(d.file.fileName.split("/").join(sep));
  if (d.file && src) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    console.error(`${src.file}:${src.line + line}:${character + 1}: TS${d.code}: ${message}`);
  } else if (d.file) {
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    console.error(`${relative(root, d.file.fileName)}:${line + 1}: TS${d.code}: ${message}`);
  } else {
    console.error(`TS${d.code}: ${message}`);
  }
}
const files = new Set([...origin.values()].map((o) => o.file));
if (verbose)
  for (const [path, o] of origin) console.log(`  ${o.file}:${o.line} -> ${relative(root, path)}`);
const summary = `${origin.size} README code blocks importing @cmh/* in ${files.size} files type-checked against the built packages (${skipped} marked no-check)`;
if (errors) {
  console.error(`✗ ${errors} type error(s); ${summary}`);
  process.exit(1);
}
console.log(`✓ ${summary}`);
