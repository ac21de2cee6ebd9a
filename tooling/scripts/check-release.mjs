#!/usr/bin/env node
// Proves that a release would work, without publishing anything.
//
// In a temporary copy of the repository (tracked and untracked-but-not-ignored files, plus every
// package's built dist/; node_modules is linked, not copied):
//   1. `changeset version` applies every pending changeset;
//   2. every published package (packages/*, not private) must get a valid new version, a
//      CHANGELOG.md entry for it, and no pending changeset may be left; before the first release
//      (no package has a CHANGELOG yet) every published package must get the same version, below
//      1.0.0;
//   3. `pnpm pack` of each package: its internal `workspace:` dependencies must become ranges of
//      the new versions, and no runtime dependency may be a private package;
//   4. `pnpm publish --dry-run --no-git-checks` of each package;
//   5. tooling/scripts/check-packages.mjs (publint, are-the-types-wrong, publish file list) on the
//      versioned copy.
// Run after `pnpm build`. Usage: node tooling/scripts/check-release.mjs [--keep]
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const keep = process.argv.includes("--keep");
const t0 = Date.now();
const say = (msg) => console.log(`--- ${msg} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
const env = { ...process.env, CI: "true" };
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env });
const pnpm = (args, cwd) => run("pnpm", args, cwd);
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const problems = [];

/** The published packages of a checkout: `{ dir, name, version, pkg }` for packages/* not private. */
function publishedPackages(base) {
  return readdirSync(join(base, "packages"))
    .filter((d) => existsSync(join(base, "packages", d, "package.json")))
    .map((d) => ({
      dir: join(base, "packages", d),
      pkg: readJson(join(base, "packages", d, "package.json")),
    }))
    .filter((p) => !p.pkg.private)
    .map((p) => ({ ...p, name: p.pkg.name, version: p.pkg.version }));
}

const before = publishedPackages(root);
for (const p of before) {
  if (!existsSync(join(p.dir, "dist"))) {
    console.error(`check-release: ${p.name} has no dist/; run \`pnpm build\` first`);
    process.exit(1);
  }
}
const privateNames = new Set(
  ["packages", "apps", "tooling"].flatMap((group) =>
    existsSync(join(root, group))
      ? readdirSync(join(root, group))
          .map((d) => join(root, group, d, "package.json"))
          .filter(existsSync)
          .map(readJson)
          .filter((pkg) => pkg.private)
          .map((pkg) => pkg.name)
      : [],
  ),
);
const firstRelease = before.every((p) => !existsSync(join(p.dir, "CHANGELOG.md")));
const pending = readdirSync(join(root, ".changeset")).filter(
  (f) => f.endsWith(".md") && f !== "README.md",
);

say(
  `copy the repository (${pending.length} pending changesets, ${before.length} published packages)`,
);
const tmp = mkdtempSync(join(tmpdir(), "cmh-release-"));
const copy = join(tmp, "repo");
try {
  // pnpm pack / publish, and publint (which packs with the package manager of the lockfile), need
  // a `pnpm` on the PATH: when there is none, a shim runs the pinned version through npx.
  try {
    run("pnpm", ["--version"], root);
  } catch {
    mkdirSync(join(tmp, "bin"));
    writeFileSync(join(tmp, "bin", "pnpm"), '#!/bin/sh\nexec npx -y pnpm@10.34.8 "$@"\n', {
      mode: 0o755,
    });
    env.PATH = `${join(tmp, "bin")}${delimiter}${env.PATH}`;
  }
  const files = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], root)
    .split("\0")
    .filter((f) => f && existsSync(join(root, f)));
  for (const f of files) {
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    cpSync(join(root, f), join(copy, f));
  }
  for (const p of before)
    cpSync(join(p.dir, "dist"), join(copy, "packages", p.dir.split("/").pop(), "dist"), {
      recursive: true,
    });
  // The tools (changesets, publint, attw) come from the repository's own install; each package's
  // @cmh/* dependencies are linked to the copy's packages, as `pnpm install` links them, so that
  // `pnpm pack` reads their new versions.
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
  const workspaceDirs = new Map(
    ["packages", "apps", "tooling"].flatMap((group) =>
      existsSync(join(copy, group))
        ? readdirSync(join(copy, group))
            .filter((d) => existsSync(join(copy, group, d, "package.json")))
            .map((d) => [readJson(join(copy, group, d, "package.json")).name, join(copy, group, d)])
        : [],
    ),
  );
  for (const p of before) {
    const dir = join(copy, "packages", p.dir.split("/").pop());
    const deps = {
      ...p.pkg.dependencies,
      ...p.pkg.devDependencies,
      ...p.pkg.peerDependencies,
      ...p.pkg.optionalDependencies,
    };
    for (const dep of Object.keys(deps).filter((d) => workspaceDirs.has(d))) {
      mkdirSync(join(dir, "node_modules", dirname(dep)), { recursive: true });
      symlinkSync(workspaceDirs.get(dep), join(dir, "node_modules", dep), "dir");
    }
  }

  say("changeset version");
  run(join(root, "node_modules", ".bin", "changeset"), ["version"], copy);

  const after = publishedPackages(copy);
  const versionOf = new Map(after.map((p) => [p.name, p.version]));
  const semver = /^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/;
  const left = readdirSync(join(copy, ".changeset")).filter(
    (f) => f.endsWith(".md") && f !== "README.md",
  );
  if (left.length) problems.push(`changesets left after \`changeset version\`: ${left.join(", ")}`);
  for (const p of after) {
    const old = before.find((b) => b.name === p.name)?.version;
    if (!semver.test(p.version)) problems.push(`${p.name}: version "${p.version}" is not semver`);
    const log = join(p.dir, "CHANGELOG.md");
    if (p.version === old) {
      if (firstRelease)
        problems.push(
          `${p.name}: no changeset bumps it, so the first release would not include it (still ${old})`,
        );
      continue;
    }
    if (!existsSync(log))
      problems.push(`${p.name}: ${old} -> ${p.version} but no CHANGELOG.md was written`);
    else if (!readFileSync(log, "utf8").includes(`## ${p.version}\n`))
      problems.push(`${p.name}: CHANGELOG.md has no "## ${p.version}" entry`);
  }
  const versions = [...new Set(after.map((p) => p.version))];
  if (firstRelease) {
    if (versions.length !== 1)
      problems.push(
        `first release: published packages would get different versions (${after.map((p) => `${p.name} ${p.version}`).join(", ")}); start every package from the same version`,
      );
    for (const p of after)
      if (Number(semver.exec(p.version)?.[1] ?? 0) >= 1)
        problems.push(
          `first release: ${p.name} would be ${p.version}; a "major" changeset before 1.0 should be "minor"`,
        );
  }
  console.log(
    after
      .map((p) => `  ${p.name} ${before.find((b) => b.name === p.name)?.version} -> ${p.version}`)
      .join("\n"),
  );

  say("pnpm pack: internal dependencies resolve to the new versions");
  const packs = join(tmp, "packs");
  mkdirSync(packs);
  for (const p of after) {
    let out;
    try {
      out = pnpm(["pack", "--pack-destination", packs, "--json"], p.dir);
    } catch (e) {
      problems.push(`${p.name}: pnpm pack failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
      continue;
    }
    const tarball = JSON.parse(out.slice(out.indexOf("{"))).filename;
    const unpacked = join(tmp, "unpacked", p.name.replace("/", "-"));
    mkdirSync(unpacked, { recursive: true });
    run("tar", ["-xzf", tarball, "-C", unpacked], tmp);
    const packed = readJson(join(unpacked, "package", "package.json"));
    if (packed.version !== p.version)
      problems.push(`${p.name}: packed version ${packed.version}, expected ${p.version}`);
    for (const field of [
      "dependencies",
      "peerDependencies",
      "optionalDependencies",
      "devDependencies",
    ]) {
      for (const [dep, range] of Object.entries(packed[field] ?? {})) {
        if (range.startsWith("workspace:"))
          problems.push(`${p.name}: ${field}.${dep} is still "${range}" in the tarball`);
        if (!dep.startsWith("@cmh/")) continue;
        if (privateNames.has(dep)) {
          if (field !== "devDependencies")
            problems.push(`${p.name}: ${field}.${dep} is a private package`);
          continue;
        }
        const want = versionOf.get(dep);
        if (!want) problems.push(`${p.name}: ${field}.${dep} is not a package of this workspace`);
        else if (range.replace(/^[\^~=]/, "") !== want)
          problems.push(
            `${p.name}: ${field}.${dep} is "${range}" in the tarball; ${dep} is released as ${want}`,
          );
      }
    }
  }

  say("pnpm publish --dry-run --no-git-checks");
  for (const p of after) {
    try {
      pnpm(["publish", "--dry-run", "--no-git-checks", "--ignore-scripts"], p.dir);
    } catch (e) {
      problems.push(
        `${p.name}: publish dry run failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`,
      );
    }
  }

  say("publint, attw and the publish file list on the versioned copy");
  try {
    console.log(
      run(
        process.execPath,
        [join(copy, "tooling", "scripts", "check-packages.mjs")],
        copy,
      ).trimEnd(),
    );
  } catch (e) {
    problems.push(
      `check-packages.mjs failed on the versioned copy:\n${e.stdout ?? ""}${e.stderr ?? e.message}`,
    );
  }
} finally {
  if (keep) console.log(`kept ${copy}`);
  else rmSync(tmp, { recursive: true, force: true });
}

if (problems.length) {
  console.error(`✗ release check failed:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
say(
  `✓ release check: ${pending.length} changesets apply; every published package versions, packs and publishes (dry run)`,
);
