import { defineConfig } from "tsup";

export default defineConfig({
  // cli.js is `pnpm bench`; worker.js runs one cell in a child process; registry.js is for scripts/.
  entry: ["src/cli.ts", "src/worker.ts", "src/registry.ts"],
  format: ["esm"],
  clean: true,
  target: "node20",
  banner: { js: "#!/usr/bin/env node" },
});
