#!/usr/bin/env node
// Scaffold a new method package: `pnpm new-method <name> [options]`.
//
// Creates packages/<name> from tooling/templates/method (a minimal working method that passes the
// Hasher conformance suite), adds a changeset, registers the method in apps/bench/src/registry.ts
// (one line before the `cmh:registry-end` marker) and adds the package to apps/bench's dependencies.
//
// Options:
//   --class <Name>     class name (default: PascalCase of <name>; names of 4 letters or fewer are upper-cased)
//   --display <Name>   display name, the class's methodName and the bench registry name (default: class name)
//   --title <text>     one-line description used in the README and package.json
//   --supervised       the method needs labels at fit time
//   --root <dir>       repository root (default: the one containing this script)
//   --no-install       do not run `pnpm install` afterwards
//   --dry-run          print what would be written, write nothing
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

function fail(msg) {
  console.error(`new-method: ${msg}`);
  process.exit(1);
}

/** Parse argv into { name, options }. */
export function parseArgs(argv) {
  const opts = { install: true, dryRun: false, supervised: false };
  let name;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) fail(`${a} needs a value`);
      return v;
    };
    if (a === "--class") opts.className = value();
    else if (a === "--display") opts.display = value();
    else if (a === "--title") opts.title = value();
    else if (a === "--root") opts.root = value();
    else if (a === "--supervised") opts.supervised = true;
    else if (a === "--no-install") opts.install = false;
    else if (a === "--dry-run") opts.dryRun = true;
    else if (a === "--help" || a === "-h") opts.help = true;
    else if (a.startsWith("--")) fail(`unknown option ${a} (see --help)`);
    else if (name === undefined) name = a;
    else fail(`unexpected argument ${JSON.stringify(a)}: give one package name`);
  }
  return { name, opts };
}

/** "my-method" -> "MyMethod"; short names ("uch") -> "UCH". */
export function defaultClassName(name) {
  const parts = name.split("-").filter(Boolean);
  if (parts.length === 1 && parts[0].length <= 4) return parts[0].toUpperCase();
  return parts.map((p) => p[0].toUpperCase() + p.slice(1)).join("");
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Plan every file write of a scaffold (pure: reads, does not write). */
export function plan(root, name, opts) {
  if (!name)
    fail(
      "usage: pnpm new-method <name> [--class Name] [--display Name] [--supervised] [--no-install]",
    );
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    fail(
      `package name must be lower-case kebab-case (e.g. "my-method"), got ${JSON.stringify(name)}`,
    );
  }
  const className = opts.className ?? defaultClassName(name);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(className))
    fail(`class name must be PascalCase, got ${JSON.stringify(className)}`);
  const display = opts.display ?? className;
  if (/["\\\n]/.test(display))
    fail(`display name must not contain quotes, backslashes or newlines`);
  const title = (opts.title ?? `${display} cross-modal hashing`).replace(/["\\\n]/g, " ");
  const pkgDir = join(root, "packages", name);
  if (existsSync(pkgDir)) fail(`${relative(root, pkgDir)} already exists`);
  const templateDir = join(root, "tooling", "templates", "method");
  if (!existsSync(templateDir)) fail(`template folder ${templateDir} not found`);

  const fill = (text) => {
    let t = text
      .replaceAll("__name__", name)
      .replaceAll("__Class__", className)
      .replaceAll("__Display__", display)
      .replaceAll("__Title__", title);
    if (opts.supervised) {
      t = t
        .replace(
          "static readonly supervised: boolean = false;",
          "static readonly supervised: boolean = true;",
        )
        .replace(
          'static readonly inputs = ["image", "text"] as const;',
          'static readonly inputs = ["image", "text", "labels"] as const;',
        );
    }
    return t;
  };
  const writes = [];
  for (const file of walk(templateDir)) {
    writes.push({
      path: join(pkgDir, relative(templateDir, file)),
      content: fill(readFileSync(file, "utf8")),
    });
  }
  writes.push({
    path: join(root, ".changeset", `${name}-initial.md`),
    content: `---\n"@cmh/${name}": minor\n---\n\nNew method package @cmh/${name}: ${title}.\n`,
  });

  // Bench registry: one line before the end marker.
  const registryPath = join(root, "apps", "bench", "src", "registry.ts");
  if (existsSync(registryPath)) {
    const reg = readFileSync(registryPath, "utf8");
    const marker = "// cmh:registry-end";
    const at = reg.indexOf(marker);
    if (at < 0) fail(`${relative(root, registryPath)} has no "${marker}" line to insert before`);
    if (reg.includes(`package: "@cmh/${name}"`))
      fail(`@cmh/${name} is already registered in ${relative(root, registryPath)}`);
    const lineStart = reg.lastIndexOf("\n", at) + 1;
    const indent = reg.slice(lineStart, at);
    const line = `${indent}{ name: "${display}", package: "@cmh/${name}", supervised: ${opts.supervised}, load: async () => (await import("@cmh/${name}")).${className} as unknown as HasherClass<object> },\n`;
    writes.push({
      path: registryPath,
      content: reg.slice(0, lineStart) + line + reg.slice(lineStart),
    });
  } else {
    console.warn(
      `new-method: ${relative(root, registryPath)} not found; register the method by hand`,
    );
  }
  const benchPkgPath = join(root, "apps", "bench", "package.json");
  if (existsSync(benchPkgPath)) {
    const pkg = JSON.parse(readFileSync(benchPkgPath, "utf8"));
    const deps = { ...(pkg.dependencies ?? {}), [`@cmh/${name}`]: "workspace:^" };
    pkg.dependencies = Object.fromEntries(
      Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)),
    );
    writes.push({ path: benchPkgPath, content: `${JSON.stringify(pkg, null, 2)}\n` });
  }
  return { className, display, pkgDir, writes };
}

function main() {
  const { name, opts } = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(
      readFileSync(fileURLToPath(import.meta.url), "utf8")
        .split("\n")
        .slice(1, 16)
        .map((l) => l.replace(/^\/\/ ?/, ""))
        .join("\n"),
    );
    return;
  }
  const root = resolve(opts.root ?? join(here, "..", ".."));
  const p = plan(root, name, opts);
  for (const w of p.writes) {
    if (opts.dryRun) {
      console.log(`would write ${relative(root, w.path)}`);
      continue;
    }
    mkdirSync(dirname(w.path), { recursive: true });
    writeFileSync(w.path, w.content);
    console.log(`wrote ${relative(root, w.path)}`);
  }
  if (opts.dryRun) return;
  if (opts.install) {
    console.log("running pnpm install to link the new package ...");
    try {
      execFileSync("pnpm", ["install"], { cwd: root, stdio: "inherit" });
    } catch {
      console.warn("new-method: `pnpm install` failed; run it yourself to link the package");
    }
  }
  console.log(`
Created @cmh/${name} (class ${p.className}, registry name "${p.display}").
Next:
  npx vitest run packages/${name}      # the conformance suite passes out of the box
  edit packages/${name}/src/method.ts  # build / train / project: the paper's algorithm
  see docs/adding-a-method.md`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
