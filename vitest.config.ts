import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import workspace packages by name; resolve them to their sources so a test run sees the
// code as it is now (the build is still checked separately by typecheck, publint and examples).
const root = fileURLToPath(new URL(".", import.meta.url));
const alias: Record<string, string> = {};
for (const group of ["packages", "tooling"]) {
  const dir = `${root}${group}`;
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const entry = `${dir}/${name}/src/index.ts`;
    if (existsSync(entry)) alias[`@cmh/${name}`] = entry;
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "tooling/*/src/**/*.test.ts",
      "examples/**/*.test.ts",
    ],
    // Fits on the pure-JS cpu backend (every per-backend test runs there too) are 7-20x slower
    // than on WASM; the limit only has to catch hangs, not slow machines.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    reporters: ["default"],
  },
});
