#!/usr/bin/env node
// Checks every publishable package as it would be published: publint (strict), are-the-types-wrong,
// and a publish dry run whose file list may hold only dist/, README, CHANGELOG, LICENSE and
// package.json (no tests, fixtures or sources shipped by accident).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const allowed = /^(dist\/.+|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/;
let failed = 0;
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

for (const name of readdirSync(join(root, "packages"))) {
  const dir = join(root, "packages", name);
  const pkgFile = join(dir, "package.json");
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  if (pkg.private) continue;
  const problems = [];
  try {
    run("npx", ["publint", "--strict"], dir);
  } catch (e) {
    problems.push(`publint:\n${e.stdout}${e.stderr}`);
  }
  try {
    run("npx", ["attw", "--pack", ".", "--profile", "node16", "--format", "ascii"], dir);
  } catch (e) {
    problems.push(`attw:\n${e.stdout}${e.stderr}`);
  }
  try {
    const out = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], dir);
    const files = JSON.parse(out)[0].files.map((f) => f.path);
    const stray = files.filter((f) => !allowed.test(f));
    if (stray.length) problems.push(`unexpected files in the package: ${stray.join(", ")}`);
    if (!files.some((f) => f.startsWith("dist/"))) problems.push("no dist/ files: build first");
    if (files.some((f) => /\.test\.|fixtures?\//.test(f)))
      problems.push("tests or fixtures in dist/");
    if (!files.includes("README.md")) problems.push("no README.md in the package");
  } catch (e) {
    problems.push(`pack dry run:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
  }
  if (problems.length) {
    failed++;
    console.error(`✗ ${pkg.name}\n  ${problems.join("\n  ")}`);
  } else {
    console.log(`✓ ${pkg.name}: publint, attw, publish file list`);
  }
}
if (failed) {
  console.error(`${failed} package(s) failed the publish checks`);
  process.exit(1);
}
