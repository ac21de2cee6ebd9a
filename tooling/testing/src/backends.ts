import { availableBackends, backendName, initBackend } from "@cmh/tensor-core";
import { afterAll, beforeAll, describe } from "vitest";

/** A tfjs backend a per-backend suite can run on. */
export type TestBackend = "tensorflow" | "wasm" | "cpu";

const NAMES: readonly TestBackend[] = ["tensorflow", "wasm", "cpu"];

/**
 * Backends the per-backend suites run on: `CMH_TEST_BACKENDS` (a comma list, e.g. "wasm") when
 * set, else every backend this process can run (tensorflow when tfjs-node is installed with its
 * native binding, wasm, cpu), best first. The first one is the reference the others are compared to.
 */
export function testBackends(): TestBackend[] {
  const env = process.env.CMH_TEST_BACKENDS?.trim();
  const available = availableBackends();
  if (!env) return available;
  const asked = env.split(",").map((s) => s.trim().toLowerCase());
  for (const a of asked) {
    if (!NAMES.includes(a as TestBackend)) {
      throw new Error(
        `CMH_TEST_BACKENDS must list names from ${NAMES.join(", ")}, got ${JSON.stringify(env)}`,
      );
    }
    if (!available.includes(a as TestBackend)) {
      throw new Error(
        `CMH_TEST_BACKENDS asks for "${a}", which this process cannot run (available: ${available.join(", ")})`,
      );
    }
  }
  return [...new Set(asked as TestBackend[])];
}

/** Make `backend` the active tfjs backend; returns the one active before (after the default init). */
export async function switchBackend(backend: TestBackend): Promise<string> {
  await initBackend({ log: false });
  const before = backendName();
  if (before !== backend) await initBackend({ backend, log: false });
  return before;
}

/** Run `fn` with `backend` active, then restore the backend that was active before. */
export async function withBackend<T>(backend: TestBackend, fn: () => Promise<T> | T): Promise<T> {
  const before = await switchBackend(backend);
  try {
    return await fn();
  } finally {
    if (backendName() !== before) await initBackend({ backend: before as TestBackend, log: false });
  }
}

/**
 * Register `body` once per backend (default `testBackends()`), each in a describe block titled
 * `${title} [backend]` whose tests run with that backend active; the previous backend is restored
 * after the block, so tests after it run where they did before.
 */
export function describeOnBackends(
  title: string,
  body: (backend: TestBackend, reference: TestBackend) => void,
  backends: readonly TestBackend[] = testBackends(),
): void {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      let before: string | undefined;
      beforeAll(async () => {
        before = await switchBackend(backend);
      });
      afterAll(async () => {
        if (before && backendName() !== before) {
          await initBackend({ backend: before as TestBackend, log: false });
        }
      });
      body(backend, backends[0]);
    });
  }
}
