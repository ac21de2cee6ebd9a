/** Code version recorded with every result: package versions and the git commit. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** Versions of the code that produced a result. */
export interface CodeVersion {
  /** `@cmh/*` package versions (and the bench's own). */
  readonly packages: Readonly<Record<string, string>>;
  /** Git commit of the checkout, or null outside a git checkout. */
  readonly commit: string | null;
  /** True when the checkout had uncommitted changes. */
  readonly dirty: boolean | null;
  readonly node: string;
}

const PACKAGES = [
  "@cmh/bench",
  "@cmh/hamming-index",
  "@cmh/datasets",
  "@cmh/metrics",
  "@cmh/tensor-core",
];

/** Version of an installed package (from its package.json), or null when it cannot be found. */
export function packageVersion(name: string): string | null {
  const require = createRequire(import.meta.url);
  try {
    const path =
      name === "@cmh/bench" ? benchPackageJson() : require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, "utf8")) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

function benchPackageJson(): string {
  // src/version.ts (tests) and dist/cli.js (built) both sit one level below the package root.
  return fileURLToPath(new URL("../package.json", import.meta.url));
}

/** Collect the code version; `extra` adds method packages (e.g. "@cmh/baselines"). */
export function codeVersion(extra: readonly string[] = []): CodeVersion {
  const packages: Record<string, string> = {};
  for (const name of [...PACKAGES, ...extra]) {
    const v = packageVersion(name);
    if (v !== null) packages[name] = v;
  }
  const cwd = dirname(fileURLToPath(import.meta.url));
  let commit: string | null = null;
  let dirty: boolean | null = null;
  try {
    commit = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd,
      stdio: ["ignore", "pipe", "ignore"],
    }).toString();
    dirty = status.trim().length > 0;
  } catch {
    // not a git checkout (an installed copy): the package versions identify the code
  }
  return { packages, commit, dirty, node: process.version };
}
