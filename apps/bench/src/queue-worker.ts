import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FitProgress } from "@cmh/tensor-core";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { type CellSpec, cellKey } from "./cell";
import type { DatasetSpec } from "./dataset";
import type { WorkerMessage, WriteCacheMessage } from "./protocol";
import {
  type CellJobData,
  type CellJobProgress,
  type CellJobResult,
  DEFAULT_QUEUE_NAME,
  failedRun,
  JOB_SCHEMA,
  specFromJob,
  withTimeout,
} from "./queue";
import { redactUrl, redisConnection } from "./queue-url";
import { type CellRun, formatDuration, runInChild, summaryLine } from "./runner";
import { type CodeVersion, codeVersion } from "./version";

/** Options of a queue worker. */
export interface QueueWorkerOptions {
  readonly url: string;
  /** Queue name (default "cmh-bench"). */
  readonly name?: string;
  /** Cells run at once (default 1: one cell per GPU). */
  readonly concurrency?: number;
  /** Backend of this worker's cells (default: the one the coordinator asked for). */
  readonly backend?: string;
  /** Path of the data on this machine (default: the coordinator's `--data`). */
  readonly data?: string;
  /** Milliseconds a job's lock lasts without renewal (BullMQ lockDuration, default 30000). */
  readonly lockDurationMs?: number;
  /** Milliseconds between stalled-job checks (BullMQ stalledInterval, default 30000). */
  readonly stalledIntervalMs?: number;
  /** Built cell script (default: worker.js beside this file). */
  readonly workerPath?: string;
  readonly log?: (line: string) => void;
  /** Stops the worker: running cells are killed and go back to the queue. */
  readonly signal?: AbortSignal;
}

/** Write a dataset cache file in a helper process; undefined when that fails (cells load the data). */
function writeCacheInChild(
  workerPath: string,
  dataset: DatasetSpec,
  file: string,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = fork(workerPath, [], { serialization: "advanced", stdio: "ignore" });
    let result: string | undefined;
    child.on("message", (m: WorkerMessage) => {
      if (m.type === "cached") result = m.file ?? undefined;
    });
    child.on("exit", () => resolve(result));
    child.on("error", () => resolve(undefined));
    const msg: WriteCacheMessage = { type: "cache", dataset, file };
    child.send(msg);
  });
}

/** Run a queue worker until `signal` aborts. Returns the number of cells it ran. */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<{ cells: number }> {
  const log = o.log ?? ((l: string) => console.log(l));
  const name = o.name ?? DEFAULT_QUEUE_NAME;
  const where = redactUrl(o.url);
  const id = `${hostname()}:${process.pid}`;
  const concurrency = o.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  const workerPath = o.workerPath ?? fileURLToPath(new URL("./worker.js", import.meta.url));
  const codes = new Map<string, CodeVersion>();
  const running = new Set<AbortController>();
  // One flat copy of each dataset per worker, written by a helper process (as the local runner
  // does for its cells), so a cell reads its data in milliseconds.
  const cacheDir = mkdtempSync(join(tmpdir(), "cmh-bench-worker-"));
  const dropCache = () => rmSync(cacheDir, { recursive: true, force: true });
  process.once("exit", dropCache);
  const caches = new Map<string, Promise<string | undefined>>();
  const datasetCache = (d: DatasetSpec): Promise<string | undefined> => {
    const key = JSON.stringify([d.name, d.data ?? null]);
    let p = caches.get(key);
    if (!p) {
      p = writeCacheInChild(workerPath, d, join(cacheDir, `dataset-${caches.size}.bin`));
      caches.set(key, p);
    }
    return p;
  };
  let cells = 0;

  const processor = async (job: Job<CellJobData, CellJobResult>): Promise<CellJobResult> => {
    const data = job.data;
    const starts = (data.starts ?? 0) + 1;
    const hosts = [...(data.hosts ?? []), id];
    await job.updateData({ ...data, starts, hosts });
    let spec: CellSpec;
    try {
      spec = specFromJob(data, { backend: o.backend, data: o.data });
    } catch (e) {
      log(`✗ ${String(data?.cell)}: ${(e as Error).message}`);
      throw new UnrecoverableError((e as Error).message);
    }
    let code = codes.get(spec.package);
    if (!code) {
      code = codeVersion([spec.package]);
      codes.set(spec.package, code);
    }
    const result = (run: CellRun, seconds: number): CellJobResult => ({
      schema: JOB_SCHEMA,
      spec,
      run,
      seconds,
      host: id,
      code: code as CodeVersion,
    });
    const key = cellKey(spec);
    if (starts > data.attempts) {
      const msg = `the cell started ${starts - 1} times and never finished: its worker was lost each time (killed, out of memory, or machine lost) on ${hosts.slice(0, -1).join(", ")}`;
      log(`✗ ${key}: ${msg}`);
      return result(failedRun(msg), 0);
    }
    log(`→ ${key} (start ${starts} of at most ${data.attempts})`);
    const t0 = performance.now();
    await job.updateProgress({ host: id, phase: "starting" } satisfies CellJobProgress);
    const cache = await datasetCache(spec.dataset);
    const ac = new AbortController();
    running.add(ac);
    let last = 0;
    const onProgress = (e: FitProgress) => {
      const now = performance.now();
      if (now - last < 1000) return;
      last = now;
      const p: CellJobProgress = { host: id, phase: e.phase, epoch: e.epoch, epochs: e.epochs };
      job.updateProgress(p).catch(() => {});
    };
    let run: CellRun;
    try {
      run = await runInChild(workerPath, spec, onProgress, ac.signal, cache, data.dataHash);
    } finally {
      running.delete(ac);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (run.interrupted) {
      // The worker is stopping: leave the job to expire and go back to the queue.
      return new Promise<never>(() => {});
    }
    if (run.outcome.status === "failed" && starts < data.attempts) {
      log(`✗ ${key}: failed (${run.outcome.error.message.split("\n")[0]}); the queue retries it`);
      throw new Error(run.outcome.error.message);
    }
    cells++;
    log(summaryLine(spec, run, seconds));
    return result(run, seconds);
  };

  const worker = new Worker<CellJobData, CellJobResult>(name, processor, {
    connection: redisConnection(o.url),
    concurrency,
    name: id,
    lockDuration: o.lockDurationMs ?? 30_000,
    stalledInterval: o.stalledIntervalMs ?? 30_000,
    // Starts are counted in the job data (a lost worker and a failure count alike), so BullMQ's
    // own stalled limit must not fail the job first.
    maxStalledCount: 1_000_000,
    autorun: false,
  });
  let redisError = "";
  worker.on("error", (e: Error) => {
    if (e.message !== redisError) log(`worker: Redis error: ${e.message}`);
    redisError = e.message;
  });
  try {
    await withTimeout(
      worker.waitUntilReady(),
      20,
      `could not reach Redis at ${where} within 20s${redisError ? ` (${redisError})` : ""}`,
    );
    log(
      `cmh bench worker ${id}: queue "${name}" on ${where}, ${concurrency} cell${concurrency > 1 ? "s" : ""} at a time${o.backend ? `, backend ${o.backend}` : ""}`,
    );
    void worker.run();
    await new Promise<void>((resolve) => {
      if (o.signal?.aborted) return resolve();
      o.signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    for (const ac of running) ac.abort();
    log(
      `worker ${id} stopping after ${cells} cells${running.size > 0 ? "; its running cells go back to the queue" : ""} (${formatDuration(process.uptime())} up)`,
    );
  } finally {
    await worker.close(true).catch(() => {});
    dropCache();
    process.removeListener("exit", dropCache);
  }
  return { cells };
}
