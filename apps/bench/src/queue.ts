/**
 * The bench over many machines through a BullMQ job queue on Redis. The coordinator
 * (`pnpm bench --queue redis://...`) plans the cells as a local run does and enqueues one job per
 * cell whose id is the cell identity, so a second coordinator or a re-run never enqueues a
 * duplicate; workers (`pnpm bench worker --queue ...`, see `queue-worker.ts`) run each cell in a
 * child process exactly as the local runner does and return its outcome; the coordinator writes
 * the result lines through the local runner's own `record` step and removes the job.
 *
 * A job carries a cell description only (registered method name, preset, overrides, bits, seed,
 * dataset spec, backend, directions) and the SHA-256 of the coordinator's data; never code.
 */

import type { Direction } from "@cmh/metrics";
import { type Job, Queue } from "bullmq";
import { type CellSpec, cellKey } from "./cell";
import { canonical, dataHash } from "./data-hash";
import { type DatasetIdentity, type DatasetSpec, loadDataset } from "./dataset";
import { redactUrl, redisConnection } from "./queue-url";
import { type MethodEntry, REGISTRY, selectMethods } from "./registry";
import type { CellRun } from "./runner";
import type { CodeVersion } from "./version";

/** Queue name used when none is given (`--queue-name`). */
export const DEFAULT_QUEUE_NAME = "cmh-bench";

/** Version tag of job data and job results. */
export const JOB_SCHEMA = "cmh-bench-job/1";

/** Options of the coordinator (`--queue`, `--queue-name`, `--attempts`). */
export interface CoordinatorOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://...` (TLS). */
  readonly url: string;
  /** Queue name (default "cmh-bench"); coordinators and workers of one run must agree. */
  readonly name?: string;
  /** Times a cell may start (a failure or a lost worker each count) before it is recorded as failed (default 2). */
  readonly attempts?: number;
  /** Milliseconds between two looks at the queue (default 1000). */
  readonly pollMs?: number;
  /** Seconds to wait for Redis at start before giving up (default 20). */
  readonly connectTimeoutSeconds?: number;
}

/**
 * What a job carries: a description of one cell, never code. The cell's fields are those of
 * `CellSpec` but the package and the supervised flag, which the worker reads from its registry.
 */
export interface CellJobData extends Omit<CellSpec, "package" | "supervised"> {
  readonly schema: typeof JOB_SCHEMA;
  /** `cellKey` of the cell. */
  readonly cell: string;
  /** `dataHash` of the coordinator's data for this seed. */
  readonly dataHash: string;
  /** Starts allowed before the cell is recorded as failed. */
  readonly attempts: number;
  /** Written by workers: how many times the cell was started, and by which workers. */
  readonly starts?: number;
  readonly hosts?: readonly string[];
}

/** What a worker returns for a job: the cell as run, and what running it gave. */
export interface CellJobResult {
  readonly schema: typeof JOB_SCHEMA;
  readonly spec: CellSpec;
  readonly run: CellRun;
  readonly seconds: number;
  /** "host:pid" of the worker. */
  readonly host: string;
  readonly code: CodeVersion;
}

/** Progress a worker publishes on a running job. */
export interface CellJobProgress {
  readonly host: string;
  readonly phase?: string;
  readonly epoch?: number;
  readonly epochs?: number;
}

/** BullMQ job id of a cell: its `cellKey`, with "%" and ":" (reserved by BullMQ) escaped. */
export function jobIdFor(key: string): string {
  return key.replace(/%/g, "%25").replace(/:/g, "%3A");
}

/** The job data of a cell. */
export function cellJobData(spec: CellSpec, hash: string, attempts: number): CellJobData {
  return {
    schema: JOB_SCHEMA,
    cell: cellKey(spec),
    method: spec.method,
    preset: spec.preset,
    ...(spec.overrides && Object.keys(spec.overrides).length > 0
      ? { overrides: spec.overrides }
      : {}),
    bits: spec.bits,
    seed: spec.seed,
    dataset: spec.dataset,
    backend: spec.backend,
    directions: spec.directions,
    ...(spec.ks ? { ks: spec.ks } : {}),
    dataHash: hash,
    attempts,
  };
}

const BACKENDS = ["auto", "tensorflow", "wasm", "cpu"];
const DIRECTIONS = ["i2t", "t2i", "i2i", "t2t"];

/**
 * The cell spec of a job, checked field by field; the method must be registered here (its package
 * and supervised flag come from this registry, not from the job). Throws naming the bad field.
 * `local` replaces the backend and the data path with this worker's own.
 */
export function specFromJob(
  data: unknown,
  local: { backend?: string; data?: string } = {},
  registry: readonly MethodEntry[] = REGISTRY,
): CellSpec {
  const d = data as Partial<CellJobData> | null;
  const bad = (what: string): never => {
    throw new Error(`job refused: ${what}`);
  };
  if (!d || typeof d !== "object") return bad(`expected an object, got ${String(data)}`);
  if (d.schema !== JOB_SCHEMA)
    return bad(`schema ${JSON.stringify(d.schema)}, expected ${JOB_SCHEMA}`);
  if (typeof d.method !== "string") return bad("no method name");
  let entry: MethodEntry;
  try {
    [entry] = selectMethods([d.method], registry);
  } catch (e) {
    return bad(`method "${d.method}" is not registered in this worker (${(e as Error).message})`);
  }
  if (typeof d.preset !== "string" || !/^[A-Za-z0-9][\w.+-]*$/.test(d.preset))
    return bad(`preset ${JSON.stringify(d.preset)}`);
  if (!Number.isInteger(d.bits) || (d.bits as number) < 8 || (d.bits as number) > 1024)
    return bad(`bits ${JSON.stringify(d.bits)}`);
  if (!Number.isSafeInteger(d.seed) || (d.seed as number) < 0)
    return bad(`seed ${JSON.stringify(d.seed)}`);
  if (!d.dataset || typeof d.dataset.name !== "string") return bad("no dataset name");
  if (typeof d.backend !== "string" || !BACKENDS.includes(d.backend))
    return bad(`backend ${JSON.stringify(d.backend)}`);
  if (!Array.isArray(d.directions) || d.directions.some((x) => !DIRECTIONS.includes(x)))
    return bad(`directions ${JSON.stringify(d.directions)}`);
  if (
    d.overrides !== undefined &&
    (typeof d.overrides !== "object" || d.overrides === null || Array.isArray(d.overrides))
  )
    return bad(`overrides ${JSON.stringify(d.overrides)}`);
  if (typeof d.dataHash !== "string" || !/^[0-9a-f]{64}$/.test(d.dataHash))
    return bad(`data hash ${JSON.stringify(d.dataHash)}`);
  if (!Number.isInteger(d.attempts) || (d.attempts as number) < 1)
    return bad(`attempts ${JSON.stringify(d.attempts)}`);
  const dataset: DatasetSpec = {
    name: d.dataset.name,
    ...(local.data !== undefined
      ? { data: local.data }
      : d.dataset.data !== undefined
        ? { data: String(d.dataset.data) }
        : {}),
    ...(d.dataset.protocol !== undefined ? { protocol: String(d.dataset.protocol) } : {}),
  };
  const spec: CellSpec = {
    method: entry.name,
    package: entry.package,
    supervised: entry.supervised,
    preset: d.preset,
    ...(d.overrides && Object.keys(d.overrides).length > 0 ? { overrides: d.overrides } : {}),
    bits: d.bits as number,
    seed: d.seed as number,
    dataset,
    backend: local.backend ?? d.backend,
    directions: d.directions as Direction[],
    ...(d.ks ? { ks: d.ks } : {}),
  };
  if (cellKey(spec) !== d.cell)
    return bad(`cell id "${d.cell}" does not match its description ("${cellKey(spec)}")`);
  return spec;
}

/** Same cell, same data, same settings (ignoring the workers' start counters). */
function sameJob(a: CellJobData, b: CellJobData): boolean {
  const strip = ({ starts: _s, hosts: _h, attempts: _a, ...rest }: CellJobData) =>
    JSON.stringify(canonical(rest));
  return strip(a) === strip(b);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Wait for a promise at most `seconds`; throws `message` after that. */
export async function withTimeout<T>(p: Promise<T>, seconds: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), seconds * 1000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the coordinator needs from the runner. */
export interface CoordinateContext {
  readonly options: CoordinatorOptions;
  /** Cells to run (finished cells of `--out` are already left out). */
  readonly todo: readonly CellSpec[];
  readonly dataset: DatasetSpec;
  /** The runner's step that turns a finished cell into result lines. */
  readonly record: (
    spec: CellSpec,
    run: CellRun,
    seconds: number,
    from?: { code?: CodeVersion; host?: string },
  ) => Promise<void>;
  readonly log: (line: string) => void;
  readonly status: (line: string) => void;
  readonly clearStatus: () => void;
  readonly signal?: AbortSignal;
}

/** A cell that failed outside its own process (lost worker, malformed result, spawn error). */
export function failedRun(message: string, stack?: string): CellRun {
  return {
    outcome: {
      status: "failed",
      phase: "process",
      error: { message, ...(stack ? { stack } : {}) },
      config: null,
      backend: null,
      trainSeconds: null,
    },
    identity: null,
    peakRssBytes: null,
    peakRssScope: "cell-process",
    backend: null,
    interrupted: false,
  };
}

/**
 * Enqueue the cells, wait for workers to run them, and record each result once. Returns when
 * every cell is recorded, or when `signal` aborts (the jobs stay queued; run again to collect).
 */
export async function coordinate(
  ctx: CoordinateContext,
): Promise<{ interrupted: boolean; enqueued: number; adopted: number }> {
  const { options, todo, log, status } = ctx;
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const attempts = options.attempts ?? 2;
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new Error(`attempts must be a positive integer, got ${attempts}`);
  const where = redactUrl(options.url);
  const queue = new Queue<CellJobData, CellJobResult>(name, {
    connection: redisConnection(options.url),
  });
  let redisError = "";
  queue.on("error", (e: Error) => {
    redisError = e.message;
  });
  try {
    const secs = options.connectTimeoutSeconds ?? 20;
    await withTimeout(
      queue.waitUntilReady(),
      secs,
      `could not reach Redis at ${where} within ${secs}s${redisError ? ` (${redisError})` : ""}`,
    );
    // The coordinator's own data hash per seed: every worker must have the same data.
    const hashes = new Map<number, string>();
    for (const seed of new Set(todo.map((s) => s.seed))) {
      let identity: DatasetIdentity;
      try {
        identity = (await loadDataset(ctx.dataset, seed)).identity;
      } catch (e) {
        throw new Error(
          `the coordinator loads the data too (its SHA-256 is what workers are checked against): ${(e as Error).message}`,
        );
      }
      hashes.set(seed, dataHash(identity));
    }
    const pending = new Map<string, { spec: CellSpec; data: CellJobData }>();
    let enqueued = 0;
    let adopted = 0;
    const opts = { attempts, removeOnComplete: false, removeOnFail: false } as const;
    for (const spec of todo) {
      const id = jobIdFor(cellKey(spec));
      const data = cellJobData(spec, hashes.get(spec.seed) as string, attempts);
      const existing = await queue.getJob(id);
      if (existing) {
        const state = await existing.getState();
        const same = sameJob(existing.data, data);
        if (state === "failed" || (state === "completed" && !same)) {
          // A failed cell is retried, as locally; a finished job of another description is stale.
          await existing.remove();
        } else if (!same) {
          throw new Error(
            `the queue "${name}" on ${where} already holds cell ${cellKey(spec)} (${state}) with another description (data hash ${existing.data.dataHash.slice(0, 12)}… vs ${data.dataHash.slice(0, 12)}…, or other settings); another run enqueued it: wait for it to finish or use another --queue-name`,
          );
        } else {
          pending.set(id, { spec, data });
          adopted++;
          continue;
        }
      }
      await queue.add("cell", data, { ...opts, jobId: id });
      pending.set(id, { spec, data });
      enqueued++;
    }
    const workersHint = `pnpm bench worker --queue ${where}${name !== DEFAULT_QUEUE_NAME ? ` --queue-name ${name}` : ""}`;
    log(
      `queue "${name}" on ${where}: ${enqueued} cells enqueued${adopted > 0 ? `, ${adopted} already queued (an earlier or parallel coordinator)` : ""}; workers: ${workersHint}`,
    );
    let done = 0;
    let failed = 0;
    const total = pending.size;
    while (pending.size > 0) {
      if (ctx.signal?.aborted) break;
      const running: string[] = [];
      const byHost = new Map<string, number>();
      let waiting = 0;
      for (const [id, { spec, data }] of [...pending]) {
        if (ctx.signal?.aborted) break;
        const job: Job<CellJobData, CellJobResult> | undefined = await queue.getJob(id);
        if (!job) {
          ctx.clearStatus();
          log(
            `${cellKey(spec)}: its job is no longer in Redis (Redis restarted without persistence, or the queue was cleared): enqueued again`,
          );
          await queue.add("cell", data, { ...opts, jobId: id });
          waiting++;
          continue;
        }
        const state = await job.getState();
        if (state === "completed") {
          const res = job.returnvalue;
          if (
            !res ||
            res.schema !== JOB_SCHEMA ||
            !res.spec ||
            cellKey(res.spec) !== cellKey(spec) ||
            !res.run?.outcome
          ) {
            await ctx.record(
              spec,
              failedRun(`the worker's result for ${cellKey(spec)} is malformed`),
              0,
            );
            failed++;
          } else {
            await ctx.record(res.spec, res.run, res.seconds, { code: res.code, host: res.host });
            if (res.run.outcome.status === "failed") failed++;
          }
          await job.remove();
          pending.delete(id);
          done++;
        } else if (state === "failed") {
          const hosts = job.data.hosts ?? [];
          await ctx.record(
            spec,
            failedRun(
              `queue: ${job.failedReason || "the job failed"}${hosts.length > 0 ? ` (started on ${hosts.join(", ")})` : ""}`,
              job.stacktrace?.at(-1),
            ),
            0,
            { host: hosts.at(-1) },
          );
          await job.remove();
          pending.delete(id);
          done++;
          failed++;
        } else if (state === "active") {
          const p = job.progress as CellJobProgress | number | undefined;
          const host = p && typeof p === "object" ? p.host : "?";
          const ep =
            p && typeof p === "object" && p.epoch !== undefined
              ? ` ${p.phase ?? ""} ${p.epoch}/${p.epochs}`
              : "";
          running.push(`${spec.method} ${spec.bits}b s${spec.seed}${ep} @${host}`);
          byHost.set(host, (byHost.get(host) ?? 0) + 1);
        } else {
          waiting++;
        }
      }
      if (pending.size === 0) break;
      let workers: string[] = [];
      try {
        // Client names are "<prefix>:<queue>:w:<worker name>"; our worker names are host:pid.
        workers = (await queue.getWorkers()).map((w) => {
          const raw = w.rawname ?? "";
          const at = raw.indexOf(":w:");
          return at >= 0 ? raw.slice(at + 3) : "unnamed";
        });
      } catch {
        // CLIENT LIST may be disabled (managed Redis): progress goes on without the worker list
      }
      const hosts = [...byHost].map(([h, n]) => `${h}×${n}`).join(", ");
      status(
        `queue: ${done}/${total} done (${failed} failed) · ${running.length} running${hosts ? ` on ${hosts}` : ""} · ${waiting} waiting · ${workers.length} workers connected${workers.length > 0 ? ` (${workers.slice(0, 6).join(", ")}${workers.length > 6 ? `, +${workers.length - 6}` : ""})` : ""}${running.length > 0 ? ` · ${running.join("; ")}` : ""}`,
      );
      await sleep(options.pollMs ?? 1000, ctx.signal);
    }
    const interrupted = pending.size > 0;
    if (interrupted) {
      ctx.clearStatus();
      log(
        `interrupted: ${pending.size} cells stay queued on ${where} (workers keep running them); run the same command again to collect them`,
      );
    }
    return { interrupted, enqueued, adopted };
  } finally {
    await queue.close();
  }
}
