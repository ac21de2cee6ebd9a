#!/usr/bin/env node
// Rewrites the options table of every method README from the method's config schema: the block
// between <!-- options-table:start --> and <!-- options-table:end --> becomes
// optionsTable(Method.schema) (@cmh/tensor-core). Packages without a schema or without the markers
// are skipped. With --check, nothing is written: exits 1 with a diff of each drifted block.
// Reads the built packages (dist/): build first (pnpm build).
//   pnpm docs:options            rewrite the tables
//   pnpm docs:options --check    fail on drift (CI)
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const START = "<!-- options-table:start -->";
export const END = "<!-- options-table:end -->";

/**
 * The README with the block between the markers replaced by `table` (undefined when the README
 * has no markers). Throws when the markers are out of order or repeated.
 */
export function replaceOptionsBlock(readme, table) {
  const s = readme.indexOf(START);
  const e = readme.indexOf(END);
  if (s < 0 && e < 0) return undefined;
  if (
    s < 0 ||
    e < 0 ||
    e < s ||
    readme.indexOf(START, s + 1) >= 0 ||
    readme.indexOf(END, e + 1) >= 0
  )
    throw new Error(`expected one ${START} followed by one ${END}`);
  const body = table.endsWith("\n") ? table : `${table}\n`;
  return `${readme.slice(0, s + START.length)}\n${body}${readme.slice(e)}`;
}

/** A diff-like message for a drifted file: the lines only in the old text (-) and only in the new (+). */
export function driftMessage(file, before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  const inB = new Set(b);
  const inA = new Set(a);
  const out = [`--- ${file} (committed)`, `+++ ${file} (from the config schema)`];
  for (const l of a) if (!inB.has(l)) out.push(`- ${l}`);
  for (const l of b) if (!inA.has(l)) out.push(`+ ${l}`);
  return out.join("\n");
}

/**
 * Update (or with `check`, compare) the options block of each packages/<name>/README.md for which
 * `tableFor(name, dir)` returns a table. Returns { updated, drifted, messages }.
 */
export async function syncOptionsTables(root, tableFor, { check = false } = {}) {
  const result = { updated: [], drifted: [], messages: [] };
  const pkgs = join(root, "packages");
  for (const name of readdirSync(pkgs).sort()) {
    const dir = join(pkgs, name);
    const readmePath = join(dir, "README.md");
    if (!existsSync(readmePath)) continue;
    const readme = readFileSync(readmePath, "utf8");
    if (!readme.includes(START) && !readme.includes(END)) continue;
    const table = await tableFor(name, dir);
    if (table === undefined) continue;
    let next;
    try {
      next = replaceOptionsBlock(readme, table);
    } catch (e) {
      throw new Error(`packages/${name}/README.md: ${e.message}`);
    }
    if (next === undefined || next === readme) continue;
    const rel = `packages/${name}/README.md`;
    if (check) {
      result.drifted.push(rel);
      result.messages.push(driftMessage(rel, readme, next));
    } else {
      writeFileSync(readmePath, next);
      result.updated.push(rel);
    }
  }
  return result;
}

/** The options table of a built package's method class (the export with a static `schema`). */
async function builtTable(root, name, dir) {
  const entry = join(dir, "dist", "index.js");
  if (!existsSync(entry))
    throw new Error(`packages/${name}: no dist/index.js; run pnpm build first`);
  const core = await import(
    pathToFileURL(join(root, "packages", "tensor-core", "dist", "index.js")).href
  );
  const mod = await import(pathToFileURL(entry).href);
  const cls = Object.values(mod).find(
    (v) => typeof v === "function" && v.schema && typeof v.methodName === "string",
  );
  return cls ? core.optionsTable(cls.schema) : undefined;
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--check");
  if (unknown.length) {
    console.error(`docs:options: unknown argument ${unknown[0]} (usage: docs:options [--check])`);
    process.exit(2);
  }
  const check = args.includes("--check");
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const r = await syncOptionsTables(root, (name, dir) => builtTable(root, name, dir), { check });
  if (check) {
    if (r.drifted.length) {
      console.error(r.messages.join("\n\n"));
      console.error(
        `\nOptions tables out of date in ${r.drifted.join(", ")}: run pnpm docs:options and commit.`,
      );
      process.exit(1);
    }
    console.log("options tables match the config schemas");
  } else {
    console.log(r.updated.length ? `updated ${r.updated.join(", ")}` : "options tables up to date");
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
