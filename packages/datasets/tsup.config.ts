import { copyFileSync } from "node:fs";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node20",
  // The MAT v7.3 reader's worker thread: plain ESM, loaded from next to the built files.
  onSuccess: async () => copyFileSync("src/mat73-worker.mjs", "dist/mat73-worker.mjs"),
});
