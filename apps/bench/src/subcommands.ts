/** `pnpm bench worker ...` and `pnpm bench merge ...`: option parsing and entry points. */
import { parseArgs } from "node:util";
import { queueName } from "./args";
import { parseRedisUrl } from "./queue-url";

/** Options of `pnpm bench worker`. */
export interface WorkerCliOptions {
  readonly help: boolean;
  readonly queue: string;
  readonly queueName: string | undefined;
  readonly concurrency: number;
  readonly backend: string | undefined;
  readonly data: string | undefined;
  readonly lockDurationMs: number | undefined;
  readonly stalledIntervalMs: number | undefined;
}

/** Options of `pnpm bench merge`. */
export interface MergeCliOptions {
  readonly help: boolean;
  readonly dirs: string[];
  readonly out: string;
  readonly metric: string | undefined;
  readonly html: boolean;
}

/** `pnpm bench worker --help`. */
export const WORKER_HELP = `cmh bench worker — run queued cells (any number of workers, on any machines)

Usage: pnpm bench worker --queue <redis url> [options]

Takes cells from the queue a coordinator (pnpm bench --queue <url> ...) filled and runs each in
a child process exactly as a local run does; the coordinator writes the results. Stops on
Ctrl-C or SIGTERM: running cells go back to the queue.

Options:
  --queue <url>            redis://host:6379/0 or rediss://user:password@host:6380/0 (TLS)
  --queue-name <name>      queue name (default cmh-bench; the coordinator's)
  --concurrency <n>        cells at a time (default 1: one cell per GPU)
  --backend <name>         auto | tensorflow | wasm | cpu (default: the coordinator's choice)
  --data <path>            where the data lives on this machine (default: the coordinator's
                           --data); its SHA-256 must match the coordinator's
  --lock-seconds <s>       lock of a running cell, renewed while the worker lives (default 30)
  --stalled-seconds <s>    how often cells of lost workers are looked for (default 30); a cell
                           of a killed worker starts again elsewhere after about lock + this
  -h, --help               show this help
`;

/** `pnpm bench merge --help`. */
export const MERGE_HELP = `cmh bench merge — merge result folders (e.g. --shard i/n runs) into one

Usage: pnpm bench merge <dir>... --out <dir> [--metric mAP@all] [--no-html]

Cells are matched by identity (method, preset, bits, seed, dataset, protocol). Identical
copies are kept once and a failed copy gives way to a finished one; copies that ran on
different data (SHA-256) or gave different numbers are reported and left out (exit status 1).
`;

function positiveNumber(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} must be a positive number, got "${v}"`);
  return n;
}

/** Parse `pnpm bench worker` options; throws naming the bad value. */
export function parseWorkerCli(argv: readonly string[]): WorkerCliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      queue: { type: "string" },
      "queue-name": { type: "string" },
      concurrency: { type: "string" },
      backend: { type: "string" },
      data: { type: "string" },
      "lock-seconds": { type: "string" },
      "stalled-seconds": { type: "string" },
    },
  });
  if (positionals.length > 0) throw new Error(`worker: unexpected argument "${positionals[0]}"`);
  const help = values.help === true;
  if (!help && values.queue === undefined) throw new Error("worker needs --queue <redis url>");
  if (values.queue !== undefined) parseRedisUrl(values.queue);
  const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new Error(`--concurrency must be an integer from 1 to 256, got "${values.concurrency}"`);
  }
  if (
    values.backend !== undefined &&
    !["auto", "tensorflow", "wasm", "cpu"].includes(values.backend)
  ) {
    throw new Error(
      `--backend must be one of auto, tensorflow, wasm, cpu, got "${values.backend}"`,
    );
  }
  return {
    help,
    queue: values.queue ?? "",
    queueName: values["queue-name"] !== undefined ? queueName(values["queue-name"]) : undefined,
    concurrency,
    backend: values.backend,
    data: values.data,
    lockDurationMs:
      values["lock-seconds"] !== undefined
        ? Math.round(positiveNumber("lock-seconds", values["lock-seconds"]) * 1000)
        : undefined,
    stalledIntervalMs:
      values["stalled-seconds"] !== undefined
        ? Math.round(positiveNumber("stalled-seconds", values["stalled-seconds"]) * 1000)
        : undefined,
  };
}

/** Parse `pnpm bench merge` options; throws naming the bad value. */
export function parseMergeCli(argv: readonly string[]): MergeCliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      out: { type: "string" },
      metric: { type: "string" },
      "no-html": { type: "boolean" },
    },
  });
  const help = values.help === true;
  if (!help && positionals.length === 0)
    throw new Error("merge needs result folders: merge <dir>... --out <dir>");
  if (!help && values.out === undefined)
    throw new Error("merge needs --out <dir> for the merged results");
  return {
    help,
    dirs: positionals,
    out: values.out ?? "",
    metric: values.metric,
    html: values["no-html"] !== true,
  };
}

/** Run `worker` or `merge` with its arguments; returns the exit status. */
export async function runSubcommand(
  name: "worker" | "merge",
  argv: readonly string[],
): Promise<number> {
  try {
    if (name === "worker") {
      const opts = parseWorkerCli(argv);
      if (opts.help) {
        console.log(WORKER_HELP);
        return 0;
      }
      const controller = new AbortController();
      const stop = () => {
        if (controller.signal.aborted) process.exit(130);
        controller.abort(new Error("stopped"));
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      const { runQueueWorker } = await import("./queue-worker");
      await runQueueWorker({
        url: opts.queue,
        name: opts.queueName,
        concurrency: opts.concurrency,
        backend: opts.backend,
        data: opts.data,
        lockDurationMs: opts.lockDurationMs,
        stalledIntervalMs: opts.stalledIntervalMs,
        signal: controller.signal,
      });
      return 0;
    }
    const opts = parseMergeCli(argv);
    if (opts.help) {
      console.log(MERGE_HELP);
      return 0;
    }
    const { mergeResults } = await import("./merge");
    const s = await mergeResults(opts.dirs, opts.out, { metric: opts.metric, html: opts.html });
    console.log(s.leaderboard);
    console.log(
      `merged ${opts.dirs.length} folders: ${s.cells} cells (${s.duplicates} duplicate copies dropped) -> ${s.files.results}`,
    );
    if (s.conflicts.length > 0) {
      console.error(`${s.conflicts.length} conflicting cells left out:`);
      for (const c of s.conflicts) console.error(`  ${c}`);
      return 1;
    }
    return 0;
  } catch (e) {
    console.error(`cmh bench ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}
