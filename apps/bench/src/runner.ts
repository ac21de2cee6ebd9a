/**
 * The leaderboard runner: every selected method x bit length x seed is one cell. Cells already
 * finished in `<out>/results.jsonl` are skipped; each new cell runs (by default in its own child
 * process, so its peak memory is measurable and a crash loses only that cell), its lines are
 * appended and fsync'd, and the reports are rewritten.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomicSync } from "@cmh/hamming-index";
import type { Direction } from "@cmh/metrics";
import type { FitProgress } from "@cmh/tensor-core";
import { type CellOutcome, type CellSpec, cellKey, presetLabel, runCell } from "./cell";
import {
  checkDataset,
  type DatasetIdentity,
  type DatasetSpec,
  loadDataset,
  validateDatasetSpec,
  writeDatasetCache,
} from "./dataset";
import { UsageError } from "./errors";
import { renderLeaderboard } from "./leaderboard";
import type { RunCellMessage, WorkerMessage } from "./protocol";
import type { CoordinatorOptions } from "./queue";
import { redactUrl } from "./queue-url";
import type { MethodEntry } from "./registry";
import { renderReport } from "./report-html";
import { appendCell, readResults, repairTail, toRecords } from "./results";
import { type Shard, shardCells } from "./shard";
import { type CodeVersion, codeVersion } from "./version";

/** Options of `runBench`. */
export interface BenchOptions {
  readonly methods: readonly MethodEntry[];
  readonly bits: readonly number[];
  readonly seeds: readonly number[];
  /** Method preset: "quick", "paper" or a method's own preset name. */
  readonly preset: string;
  /** Config values set on top of the preset. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  readonly dataset: DatasetSpec;
  /** "auto", "tensorflow", "wasm" or "cpu". */
  readonly backend: string;
  /** Output folder (results.jsonl, leaderboard.md, report.html). */
  readonly out: string;
  /** Directions evaluated; default all four. */
  readonly directions?: readonly Direction[];
  /** "process" (default): one child process per cell; "inline": in this process. */
  readonly isolation?: "process" | "inline";
  /** Re-run cells whose latest attempt failed (default true). */
  readonly retryFailed?: boolean;
  /** Metric variant of the leaderboard tables (default "mAP@all"). */
  readonly metric?: string;
  /** Skip the HTML report (it takes a few seconds). */
  readonly htmlReport?: boolean;
  /** Permanent log lines (default: stdout). */
  readonly log?: (line: string) => void;
  /** Transient progress line (default: stderr, rewritten in place on a terminal). */
  readonly status?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Run the dataset check (queries without a relevant database item) before the cells; default true. */
  readonly checkDataset?: boolean;
  /** Inline isolation: sets up the tfjs backend once (default: tensor-core's `initBackend`). */
  readonly prepareBackend?: (choice: string) => Promise<{ name: string; provider?: string }>;
  /** Built worker script for process isolation (default: worker.js beside this file). */
  readonly workerPath?: string;
  /** Run only the `index`-th of `count` deterministic slices of the cell list (`--shard i/n`). */
  readonly shard?: Shard;
  /** Run the cells through a Redis job queue instead of locally (`--queue redis://...`). */
  readonly queue?: CoordinatorOptions;
}

/** What a run did. */
export interface BenchSummary {
  readonly out: string;
  readonly cells: number;
  readonly skipped: number;
  readonly ran: number;
  readonly failed: number;
  readonly interrupted: boolean;
  readonly wallSeconds: number;
  readonly leaderboard: string;
  readonly files: { results: string; leaderboard: string; report: string | null };
}

/** "1m05s" / "12.3s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  return m < 60
    ? `${m}m${String(s).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** One progress line from a fit event. */
export function progressLine(prefix: string, e: FitProgress, runEtaSeconds: number | null): string {
  const phaseEta =
    e.etaSeconds ??
    (e.epoch > 0 ? (e.elapsedSeconds / e.epoch) * (e.epochs - e.epoch) : Number.NaN);
  const loss = Number.isFinite(e.loss) ? e.loss.toPrecision(4) : String(e.loss);
  return `${prefix} · ${e.phase} epoch ${e.epoch}/${e.epochs} · loss ${loss} · ${formatDuration(
    e.elapsedSeconds,
  )} elapsed · ETA ${formatDuration(phaseEta)}${
    runEtaSeconds !== null ? ` (run ${formatDuration(runEtaSeconds)})` : ""
  }`;
}

/** What running one cell gave: its outcome, data identity, peak memory and backend. */
export interface CellRun {
  outcome:
    | CellOutcome
    | (Omit<Extract<CellOutcome, { status: "failed" }>, "phase"> & { phase: "process" });
  identity: DatasetIdentity | null;
  peakRssBytes: number | null;
  peakRssScope: "cell-process" | "runner-process";
  backend: string | null;
  interrupted: boolean;
}

/** Run one cell in a child process (`worker.js`); never rejects. */
export function runInChild(
  workerPath: string,
  spec: CellSpec,
  onProgress: (e: FitProgress) => void,
  signal: AbortSignal | undefined,
  datasetCache?: string,
  expectDataHash?: string,
): Promise<CellRun> {
  return new Promise((resolve) => {
    const child: ChildProcess = fork(workerPath, [], {
      serialization: "advanced",
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let tail = "";
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    let done: Extract<WorkerMessage, { type: "done" }> | null = null;
    let backend: string | null = null;
    let settled = false;
    const onAbort = () => child.kill("SIGKILL");
    signal?.addEventListener("abort", onAbort, { once: true });
    child.on("message", (msg: WorkerMessage) => {
      if (msg.type === "progress") onProgress(msg.event);
      else if (msg.type === "backend")
        backend = msg.provider ? `${msg.name} (${msg.provider})` : msg.name;
      else if (msg.type === "done") done = msg;
    });
    const finish = (code: number | null, sig: NodeJS.Signals | null, err?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      if (done) {
        const d = done as Extract<WorkerMessage, { type: "done" }>;
        resolve({
          outcome: d.outcome,
          identity: d.identity,
          peakRssBytes: d.peakRssBytes,
          peakRssScope: "cell-process",
          backend,
          interrupted: false,
        });
        return;
      }
      const why = err
        ? `could not run the cell process: ${err.message}`
        : `cell process exited with ${sig ? `signal ${sig}` : `code ${code}`} before finishing${
            sig === "SIGKILL" ? " (killed: out of memory?)" : ""
          }`;
      resolve({
        outcome: {
          status: "failed",
          phase: "process",
          error: { message: `${why}${tail.trim() ? `\n--- output tail ---\n${tail.trim()}` : ""}` },
          config: null,
          backend,
          trainSeconds: null,
        },
        identity: null,
        peakRssBytes: null,
        peakRssScope: "cell-process",
        backend,
        interrupted: signal?.aborted === true,
      });
    };
    child.on("exit", (code, sig) => finish(code, sig));
    child.on("error", (err) => finish(null, null, err));
    const msg: RunCellMessage = {
      type: "run",
      spec,
      ...(datasetCache ? { datasetCache } : {}),
      ...(expectDataHash ? { expectDataHash } : {}),
    };
    child.send(msg);
  });
}

/** The one-line summary of a finished cell printed by the runner. */
export function summaryLine(spec: CellSpec, run: CellRun, seconds: number): string {
  const head = `${spec.method} ${spec.bits} bits seed ${spec.seed}`;
  const o = run.outcome;
  if (o.status === "failed") {
    return `✗ ${head}: FAILED in ${o.phase}: ${o.error.message.split("\n")[0]} (${formatDuration(seconds)})`;
  }
  const maps = o.metrics.directions
    .map((d) => `${d} ${(o.metrics[d]?.["mAP@all"] ?? Number.NaN).toFixed(3)}`)
    .join(" ");
  const enc = Math.round((o.encode.image.itemsPerSecond + o.encode.text.itemsPerSecond) / 2);
  const mem =
    run.peakRssBytes !== null ? `, peak ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB` : "";
  return `✓ ${head}: mAP@all ${maps} (train ${formatDuration(o.trainSeconds)}, encode ${enc.toLocaleString(
    "en-US",
  )} items/s${mem}; cell ${formatDuration(seconds)})`;
}

/** Write leaderboard.md (and report.html unless disabled) for everything in results.jsonl. */
export async function writeReports(
  out: string,
  options: { metric?: string; html?: boolean } = {},
): Promise<{ leaderboard: string; files: BenchSummary["files"] }> {
  const resultsPath = join(out, "results.jsonl");
  const { records } = readResults(resultsPath);
  const leaderboard = renderLeaderboard(records, { metric: options.metric });
  const lbPath = join(out, "leaderboard.md");
  writeFileAtomicSync(lbPath, leaderboard);
  let reportPath: string | null = null;
  if (options.html !== false) {
    const { html } = await renderReport(records, { metric: options.metric });
    reportPath = join(out, "report.html");
    writeFileAtomicSync(reportPath, html);
  }
  return { leaderboard, files: { results: resultsPath, leaderboard: lbPath, report: reportPath } };
}

/**
 * Take `<out>/.lock` for this process so two runs never write one results file; a lock left by a
 * process that no longer exists is taken over. Returns the release function.
 */
export function lockOut(out: string): () => void {
  const path = join(out, ".lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    let alive = false;
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (err) {
        alive = (err as NodeJS.ErrnoException).code === "EPERM";
      }
    }
    if (alive) {
      throw new Error(
        `another bench run (pid ${pid}) is writing to ${out}; wait for it to finish or use another --out`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new Error(`could not take the lock ${path}`);
}

/** Run (or resume) a benchmark and write its reports. */
export async function runBench(o: BenchOptions): Promise<BenchSummary> {
  const t0 = performance.now();
  const log = o.log ?? ((l: string) => console.log(l));
  const status =
    o.status ??
    ((l: string) => {
      if (process.stderr.isTTY)
        process.stderr.write(`\r\x1b[K${l.slice(0, process.stderr.columns - 1)}`);
      else process.stderr.write(`${l}\n`);
    });
  const clearStatus = () => {
    if (!o.status && process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  };
  const isolation = o.isolation ?? "process";
  const directions = o.directions ?? ["i2t", "t2i", "i2i", "t2t"];
  validateDatasetSpec(o.dataset);
  for (const b of o.bits) {
    if (!Number.isInteger(b) || b < 8 || b > 1024) {
      throw new Error(`bit length ${b} is out of range: expected integers from 8 to 1024`);
    }
  }
  for (const s of o.seeds) {
    if (!Number.isSafeInteger(s) || s < 0)
      throw new Error(`seed ${s} must be a non-negative integer`);
  }
  const workerPath = o.workerPath ?? fileURLToPath(new URL("./worker.js", import.meta.url));
  if (isolation === "process" && !existsSync(workerPath)) {
    throw new Error(
      `process isolation needs the built worker ${workerPath}; run "pnpm build" first, or use inline isolation`,
    );
  }
  if (existsSync(o.out) && !statSync(o.out).isDirectory()) {
    throw new UsageError(`--out ${o.out} is an existing file, not a folder: give a folder path`);
  }
  if (o.checkDataset !== false) await checkDataset(o.dataset, o.seeds, log);
  try {
    mkdirSync(o.out, { recursive: true });
  } catch (e) {
    throw new UsageError(
      `--out ${o.out}: cannot create the folder (${(e as NodeJS.ErrnoException).code === "ENOTDIR" || (e as NodeJS.ErrnoException).code === "EEXIST" ? "a part of the path is an existing file" : (e as Error).message})`,
    );
  }
  const release = lockOut(o.out);
  try {
    return await runLocked(o, t0, log, status, clearStatus, isolation, directions, workerPath);
  } finally {
    release();
  }
}

async function runLocked(
  o: BenchOptions,
  t0: number,
  log: (line: string) => void,
  status: (line: string) => void,
  clearStatus: () => void,
  isolation: "process" | "inline",
  directions: readonly Direction[],
  workerPath: string,
): Promise<BenchSummary> {
  const resultsPath = join(o.out, "results.jsonl");
  const cut = repairTail(resultsPath);
  if (cut > 0)
    log(`results.jsonl ended in a partial line (${cut} bytes, a cell cut short): removed`);
  const existing = readResults(resultsPath);

  const runId = randomUUID();
  const code: CodeVersion = codeVersion([...new Set(o.methods.map((m) => m.package))]);
  writeFileAtomicSync(
    join(o.out, "run.json"),
    `${JSON.stringify(
      {
        runId,
        startedAt: new Date().toISOString(),
        methods: o.methods.map((m) => m.name),
        bits: o.bits,
        seeds: o.seeds,
        preset: o.preset,
        overrides: o.overrides ?? {},
        dataset: o.dataset,
        backend: o.backend,
        isolation,
        ...(o.shard ? { shard: `${o.shard.index}/${o.shard.count}` } : {}),
        ...(o.queue ? { queue: redactUrl(o.queue.url) } : {}),
        code,
      },
      null,
      2,
    )}\n`,
  );

  const allSpecs: CellSpec[] = [];
  for (const m of o.methods) {
    for (const bits of o.bits) {
      for (const seed of o.seeds) {
        allSpecs.push({
          method: m.name,
          package: m.package,
          supervised: m.supervised,
          preset: o.preset,
          ...(o.overrides && Object.keys(o.overrides).length > 0 ? { overrides: o.overrides } : {}),
          bits,
          seed,
          dataset: o.dataset,
          backend: o.backend,
          directions,
        });
      }
    }
  }
  const specs = o.shard ? shardCells(allSpecs, o.shard) : allSpecs;
  const todo = specs.filter((s) => {
    const st = existing.cells.get(cellKey(s));
    return st === undefined || (st === "failed" && o.retryFailed !== false);
  });
  const skipped = specs.length - todo.length;
  if (o.methods.length === 0) {
    log("No methods are registered yet: nothing to run (the leaderboard lists what exists).");
  } else {
    log(
      `cmh bench: ${o.methods.map((m) => m.name).join(", ")} x ${o.bits.join("/")} bits x seeds ${o.seeds.join(
        ",",
      )} on ${o.dataset.name} (${presetLabel({ preset: o.preset, overrides: o.overrides })} configs, backend ${o.backend}) -> ${o.out}`,
    );
    if (skipped > 0)
      log(`${skipped} of ${specs.length} cells already finished in ${resultsPath}: skipped`);
  }

  let inlineBackend: string | null = null;
  if (isolation === "inline" && todo.length > 0) {
    const prepare =
      o.prepareBackend ??
      (async (choice: string) => {
        const { initBackend } = await import("@cmh/tensor-core");
        return initBackend({ backend: choice as "auto", log: false });
      });
    const info = await prepare(o.backend);
    inlineBackend = info.provider ? `${info.name} (${info.provider})` : info.name;
    log(`backend: ${inlineBackend}`);
  }

  // Load the data once here and hand each cell process a flat binary copy (milliseconds to read)
  // instead of regenerating the synthetic set or re-parsing the data files in every cell.
  let datasetCache: string | undefined;
  let cacheDir: string | undefined;
  const dropCache = () => {
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
    cacheDir = undefined;
  };
  if (isolation === "process" && todo.length > 1 && !o.queue) {
    try {
      cacheDir = mkdtempSync(join(tmpdir(), "cmh-bench-"));
      process.once("exit", dropCache);
      datasetCache = await writeDatasetCache(o.dataset, join(cacheDir, "dataset.bin"));
    } catch {
      // Each cell loads the data itself and records why it fails, as without the cache.
      dropCache();
      datasetCache = undefined;
    }
  }

  let ran = 0;
  let failed = 0;
  let interrupted = false;
  let backendLogged = inlineBackend !== null;
  const cellSeconds: number[] = [];
  /** The one place a finished cell becomes result lines (local and queued runs alike). */
  const record = async (
    spec: CellSpec,
    run: CellRun,
    secs: number,
    from?: { code?: CodeVersion; host?: string },
  ): Promise<void> => {
    if (!backendLogged && run.backend) {
      clearStatus();
      log(`backend: ${run.backend}`);
      backendLogged = true;
    }
    const identity = run.identity ?? (await loadDataset(o.dataset, spec.seed)).identity;
    const records = toRecords(spec, run.outcome as CellOutcome, {
      runId,
      attempt: randomUUID(),
      identity,
      code: from?.code ?? code,
      peakRssBytes: run.peakRssBytes,
      peakRssScope: run.peakRssScope,
    });
    appendCell(resultsPath, records);
    ran++;
    if (run.outcome.status === "failed") failed++;
    cellSeconds.push(secs);
    clearStatus();
    log(`${summaryLine(spec, run, secs)}${from?.host ? ` on ${from.host}` : ""}`);
    writeFileAtomicSync(
      join(o.out, "leaderboard.md"),
      renderLeaderboard(readResults(resultsPath).records, { metric: o.metric }),
    );
  };
  if (o.queue && todo.length > 0) {
    const { coordinate } = await import("./queue");
    const q = await coordinate({
      options: o.queue,
      todo,
      dataset: o.dataset,
      record,
      log,
      status,
      clearStatus,
      signal: o.signal,
    });
    interrupted = q.interrupted;
  } else {
    for (const [i, spec] of todo.entries()) {
      if (o.signal?.aborted) {
        interrupted = true;
        break;
      }
      const prefix = `[${i + 1}/${todo.length}] ${spec.method} ${spec.bits} bits seed ${spec.seed}`;
      const avg =
        cellSeconds.length > 0 ? cellSeconds.reduce((a, b) => a + b, 0) / cellSeconds.length : null;
      const remainingAfter = avg !== null ? avg * (todo.length - i - 1) : null;
      status(`${prefix} · starting`);
      let lastPrint = 0;
      const onProgress = (e: FitProgress) => {
        const now = performance.now();
        if (!process.stderr.isTTY && !o.status && now - lastPrint < 1000 && e.epoch < e.epochs)
          return;
        lastPrint = now;
        const runEta =
          remainingAfter !== null
            ? remainingAfter +
              (e.etaSeconds ??
                (e.epoch > 0 ? (e.elapsedSeconds / e.epoch) * (e.epochs - e.epoch) : 0))
            : null;
        status(progressLine(prefix, e, runEta));
      };
      const tc = performance.now();
      let run: CellRun;
      if (isolation === "process") {
        run = await runInChild(workerPath, spec, onProgress, o.signal, datasetCache);
      } else {
        run = await runInline(o, spec, onProgress, inlineBackend);
      }
      const secs = (performance.now() - tc) / 1000;
      if (run.interrupted || o.signal?.aborted) {
        interrupted = true;
        clearStatus();
        log(
          `interrupted during ${spec.method} ${spec.bits} bits seed ${spec.seed}: that cell is not recorded`,
        );
        break;
      }
      await record(spec, run, secs);
    }
  }
  clearStatus();
  dropCache();
  process.removeListener("exit", dropCache);
  const { leaderboard, files: written } = await writeReports(o.out, {
    metric: o.metric,
    html: o.htmlReport,
  });
  return {
    out: o.out,
    cells: specs.length,
    skipped,
    ran,
    failed,
    interrupted,
    wallSeconds: (performance.now() - t0) / 1000,
    leaderboard,
    files: written,
  };
}

async function runInline(
  o: BenchOptions,
  spec: CellSpec,
  onProgress: (e: FitProgress) => void,
  backend: string | null,
): Promise<CellRun> {
  const entry = o.methods.find((m) => m.name === spec.method) as MethodEntry;
  const base = { peakRssScope: "runner-process" as const, backend, interrupted: false };
  let data: Awaited<ReturnType<typeof loadDataset>>;
  try {
    data = await loadDataset(spec.dataset, spec.seed);
  } catch (e) {
    return {
      ...base,
      outcome: {
        status: "failed",
        phase: "load",
        error: { message: e instanceof Error ? e.message : String(e) },
        config: null,
        backend,
        trainSeconds: null,
      },
      identity: null,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  }
  let outcome: CellOutcome;
  try {
    const Cls = await entry.load();
    outcome = await runCell(Cls, spec, data, {
      onProgress,
      signal: o.signal,
      backendName: () => backend ?? "unknown",
    });
  } catch (e) {
    outcome = {
      status: "failed",
      phase: "config",
      error: { message: e instanceof Error ? e.message : String(e) },
      config: null,
      backend,
      trainSeconds: null,
    };
  }
  return {
    ...base,
    outcome,
    identity: data.identity,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    interrupted: o.signal?.aborted === true,
  };
}
