import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Locate a folder of the real test data that sits beside a development checkout
 * (`<repo>/../shared/data/<name>`), or under `$CMH_SHARED_DATA/<name>`. Returns undefined when it
 * is absent (a user's machine), so tests can `describe.skipIf(!dir)`.
 */
export function sharedDataPath(name: string): string | undefined {
  const env = process.env.CMH_SHARED_DATA;
  if (env) {
    const p = join(env, name);
    return existsSync(p) ? p : undefined;
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) {
      const p = resolve(dir, "..", "shared", "data", name);
      return existsSync(p) ? p : undefined;
    }
    dir = dirname(dir);
  }
  return undefined;
}
