#!/usr/bin/env bash
# Extra CI checks, run by .ci/run after the build, tests and publish checks:
#   1. the examples, against the built packages;
#   2. a small bench run in child processes (the way `pnpm bench` runs), resumed once;
#   3. installing each method package as a user would: `pnpm pack` every publishable package,
#      then, per method package, plain `npm install` of its tarball and its @cmh/* dependencies'
#      tarballs in a fresh project outside the workspace, and run the package README's example
#      there. CMH_INSTALL_CHECK_PACKAGES="@cmh/a @cmh/b" narrows the list (default: every package
#      in the bench registry).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
if command -v pnpm >/dev/null 2>&1; then PNPM=(pnpm); else PNPM=(npx -y pnpm@10.34.8); fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
t0=$(date +%s)
say() { echo "--- $* ($(( $(date +%s) - t0 ))s)"; }

# The bench registry lists the methods that exist; the checks below need CCA-ITQ.
if ! node apps/bench/dist/cli.js --list | grep -q '^CCA-ITQ'; then
  echo "ci-extra: CCA-ITQ is not registered in apps/bench/src/registry.ts" >&2
  exit 1
fi

say "example: examples/search-by-text.mjs"
node examples/search-by-text.mjs --bits 16 --k 5 | tee "$TMP/example.txt"
grep -q "of the top 5 images share a label with the text query" "$TMP/example.txt"

say "bench: a small run in child processes, then the same --out again (must skip every cell)"
node apps/bench/dist/cli.js --methods CCA-ITQ --bits 16,32 --dataset synthetic-small \
  --directions i2t,t2i --out "$TMP/bench" > "$TMP/bench1.txt"
grep -q "2 cells run (0 failed)" "$TMP/bench1.txt"
test "$(grep -c '"metric":"mAP@all"' "$TMP/bench/results.jsonl")" -eq 4
test -s "$TMP/bench/report.html"
node apps/bench/dist/cli.js --methods CCA-ITQ --bits 16,32 --dataset synthetic-small \
  --directions i2t,t2i --out "$TMP/bench" --no-html > "$TMP/bench2.txt"
grep -q "0 cells run (0 failed), 2 skipped" "$TMP/bench2.txt"
tail -n 12 "$TMP/bench2.txt"

say "install as a user: pack every publishable package"
mkdir -p "$TMP/packs"
for dir in packages/*/; do
  if node -e 'process.exit(require(process.argv[1]).private ? 0 : 1)' "$ROOT/$dir/package.json"; then
    continue
  fi
  (cd "$dir" && "${PNPM[@]}" pack --pack-destination "$TMP/packs" >/dev/null)
done
ls "$TMP/packs"

METHOD_PKGS=${CMH_INSTALL_CHECK_PACKAGES:-$(grep -oE 'package: "@cmh/[a-z0-9-]+"' apps/bench/src/registry.ts | grep -oE '@cmh/[a-z0-9-]+' | sort -u | tr '\n' ' ')}
echo "method packages to install as a user: $METHOD_PKGS"

install_check() {
METHOD_PKG=$1
rm -rf "$TMP/example" "$TMP/user-project"
say "install as a user: take the README example of $METHOD_PKG"
README="packages/${METHOD_PKG#@cmh/}/README.md"
mkdir -p "$TMP/example"
node - "$ROOT/$README" "$METHOD_PKG" "$TMP/example/example.mjs" <<'EOF'
const fs = require("node:fs");
const [readme, pkg, out] = process.argv.slice(2);
const text = fs.readFileSync(readme, "utf8");
const blocks = [...text.matchAll(/```(js|javascript|mjs|ts|typescript)\n([\s\S]*?)```/g)];
const block = blocks.find((b) => b[2].includes(`"${pkg}"`) || b[2].includes(`'${pkg}'`));
if (!block) throw new Error(`${readme} has no js/ts code block importing ${pkg}`);
let code = block[2];
if (block[1].startsWith("t")) {
  // Types only need stripping; the workspace's TypeScript does that (the code still runs, and
  // resolves every import, inside the user project).
  const ts = require(require.resolve("typescript", { paths: [process.cwd()] }));
  code = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}
fs.writeFileSync(out, code);
EOF
# The method package, the other @cmh/* packages its README example imports (a user installs
# those too), and every @cmh/* package they depend on, transitively, as tarball paths.
ROOTS=$(grep -oE "from [\"']@cmh/[a-z0-9-]+[\"']" "$TMP/example/example.mjs" | grep -oE "@cmh/[a-z0-9-]+" | sort -u | tr '\n' ' ')
echo "packages the example imports: $ROOTS"
TARBALLS=$(node - "$ROOT" "$TMP/packs" "$METHOD_PKG" $ROOTS <<'EOF'
const fs = require("node:fs");
const path = require("node:path");
const [root, packs, ...starts] = process.argv.slice(2);
const byName = new Map();
for (const d of fs.readdirSync(path.join(root, "packages"))) {
  const f = path.join(root, "packages", d, "package.json");
  if (fs.existsSync(f)) {
    const pj = JSON.parse(fs.readFileSync(f, "utf8"));
    byName.set(pj.name, pj);
  }
}
const need = new Set();
const visit = (name) => {
  if (need.has(name)) return;
  const pj = byName.get(name);
  if (!pj) throw new Error(`${name} is not a package of this workspace`);
  if (pj.private) throw new Error(`${name} is private and cannot be installed by users`);
  need.add(name);
  for (const dep of Object.keys(pj.dependencies ?? {})) if (dep.startsWith("@cmh/")) visit(dep);
};
for (const s of starts) visit(s);
const out = [...need].map((n) => {
  const file = path.join(packs, `${n.replace(/^@/, "").replace("/", "-")}-${byName.get(n).version}.tgz`);
  if (!fs.existsSync(file)) throw new Error(`missing tarball ${file}`);
  return file;
});
console.log(out.join("\n"));
EOF
)

say "install as a user: npm install $METHOD_PKG and its @cmh/* dependencies from the tarballs"
PROJECT="$TMP/user-project"
mkdir -p "$PROJECT"
(
  cd "$PROJECT"
  npm init -y >/dev/null
  npm pkg set type=module >/dev/null
  # One command, so npm resolves the packages' @cmh/* dependencies to these local tarballs.
  # shellcheck disable=SC2086
  npm install --no-audit --no-fund --loglevel=error $TARBALLS
)

say "install as a user: run the README example of $METHOD_PKG"
cp "$TMP/example/example.mjs" "$PROJECT/example.mjs"
(
  cd "$PROJECT"
  # Every @cmh/* import must resolve inside the user project, never into the workspace.
  node --input-type=module -e "
    const pkgs = process.argv.slice(1);
    for (const p of pkgs) {
      const where = import.meta.resolve(p);
      if (!where.startsWith(new URL('./node_modules/', 'file://' + process.cwd() + '/').href)) {
        throw new Error(p + ' resolved outside the user project: ' + where);
      }
    }" $(node -e 'const d=require("./package.json").dependencies;console.log(Object.keys(d).join(" "))')
  node example.mjs
  echo "the README example of $METHOD_PKG ran in a fresh npm project outside the workspace"
)
}

for pkg in $METHOD_PKGS; do install_check "$pkg"; done
say "ci-extra done"
