import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node20",
  shims: true,
  // tfjs-core's gradient definitions exist only as extension-less ESM sources; bundle them.
  noExternal: [/@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
