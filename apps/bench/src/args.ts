/** Command-line options of `pnpm bench` (node:util parseArgs; no dependency). */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Direction } from "@cmh/metrics";
import { type ConfigSchema, parseConfigValue } from "@cmh/tensor-core";
import { DEFAULT_DATASET, REAL_DATASETS, SYNTHETIC_DATASETS } from "./dataset";
import { parseRedisUrl } from "./queue-url";
import { parseShard, type Shard } from "./shard";

/** Parsed and validated options. */
export interface CliOptions {
  readonly help: boolean;
  readonly list: boolean;
  readonly reportOnly: boolean;
  readonly methods: string[] | undefined;
  readonly bits: number[];
  readonly seeds: number[];
  readonly preset: string;
  /** `--set` config overrides, applied on top of the preset. */
  readonly overrides: Record<string, unknown>;
  readonly dataset: string;
  readonly data: string | undefined;
  readonly protocol: string | undefined;
  readonly backend: string;
  readonly out: string;
  readonly directions: Direction[];
  readonly metric: string;
  readonly isolation: "process" | "inline";
  readonly retryFailed: boolean;
  readonly html: boolean;
  /** `--suite`: run every set of a named suite (each into `<out>/<set>`), write `<out>/suite.md`. */
  readonly suite: string | undefined;
  /** `--stats` (with `--suite`): print the suite's statistics table and exit. */
  readonly stats: boolean;
  /** `--shard i/n`: run only that slice of the cells. */
  readonly shard?: Shard;
  /** `--queue <redis url>`: coordinate a run through a BullMQ queue. */
  readonly queue?: string;
  /** `--queue-name` (default cmh-bench). */
  readonly queueName?: string;
  /** `--attempts`: starts of a queued cell before it is recorded as failed (default 2). */
  readonly attempts?: number;
}

const BACKENDS = ["auto", "tensorflow", "wasm", "cpu"];
const DIRECTIONS: Direction[] = ["i2t", "t2i", "i2i", "t2t"];
const METRICS = ["mAP@all", "mAP@50", "mAP@1000", "P@r2"];

/** The `--help` text. */
export function helpText(): string {
  return `cmh bench — train every registered method and write leaderboards

Usage: pnpm bench [options]        (or: node apps/bench/dist/cli.js [options])

Runs every selected method x bit length x seed ("cells") on one dataset, evaluates
image->text, text->image, image->image and text->text retrieval, and writes
<out>/results.jsonl (one line per cell x direction x metric variant), <out>/leaderboard.md
and <out>/report.html. Re-running with the same --out skips finished cells.

Options:
  --methods <a,b>     methods to run (default: every registered method; see --list)
  --bits <16,32,64>   code lengths (default 16,32,64)
  --seeds <0,1,2>     seeds; several give mean ± std (default 0). A seed picks the
                      split of random protocols and the method's initialisation.
  --config <preset>   method preset: quick | paper | a method's own preset, e.g. an ablation
                      (default quick; a method without it fails its cells, naming its presets)
  --set <k=v,...>     config values on top of the preset, e.g. --set epochs=5,lrG=0.5
                      (parsed by each method's config schema: numbers, booleans, names and
                      input=standardize/scale need no quotes, JSON values work too; repeatable;
                      recorded, and part of the cell identity)
  --dataset <name>    ${Object.keys(SYNTHETIC_DATASETS).join(" | ")} (generated, default ${DEFAULT_DATASET}),
                      or real data: ${Object.keys(REAL_DATASETS).join(" | ")} | any name with --protocol
  --data <path>       real data: a folder (or file) with the DCMH .mat files
                      (e.g. mirflickr25k-iall.mat, -yall.mat, -lall.mat) or the
                      I_tr/T_tr/L_tr/I_te/T_te/L_te layout as .mat or CSV files
  --protocol <name>   split protocol from @cmh/datasets (default: the dataset's own,
                      e.g. mirflickr25k -> mirflickr25k-5k)
  --backend <name>    auto | tensorflow | wasm | cpu (default auto: CUDA tfjs-node-gpu,
                      then tfjs-node, then WASM, then pure JS; CMH_BACKEND also works)
  --out <dir>         output folder (default results/<date-time>); reuse it to resume
  --directions <...>  subset of i2t,t2i,i2i,t2t (default all four)
  --metric <variant>  leaderboard metric: ${METRICS.join(" | ")} (default mAP@all)
  --inline            run cells in this process instead of one child process per cell
                      (peak memory is then the whole runner's)
  --skip-failed       on resume, do not retry cells whose last attempt failed
  --no-html           skip report.html
  --report            only rewrite leaderboard.md and report.html from --out's results
  --suite <name>      run every set of a suite instead of one --dataset, each into
                      <out>/<set>/, then write <out>/suite.md (methods x sets, I->T and
                      T->I, method - CCA-ITQ): feature-forms | feature-forms+synthetic-val
                      (--data = the folder holding uci-mfeat/ and mirflickr25k-tags-labels/)
  --stats             with --suite: print the statistics table of its sets and exit
  --shard <i/n>       run only the i-th of n deterministic slices of the cells (array jobs;
                      merge the folders with "pnpm bench merge")
  --queue <url>       coordinate through a BullMQ job queue on Redis (redis://host:6379/0,
                      rediss://:password@host:6380/0); workers: pnpm bench worker --queue <url>
  --queue-name <name> queue name (default cmh-bench)
  --attempts <n>      starts of a queued cell (failures and lost workers) before it is
                      recorded as failed (default 2)
  --list              list the registered methods and exit
  -h, --help          show this help

Subcommands:
  worker --queue <url> [--concurrency 1] [--backend ...] [--data <path>]   run queued cells
  merge <dir>... --out <dir>                       merge result folders (shards) into one

Examples:
  pnpm bench
  pnpm bench --methods CCA-ITQ --bits 32 --seeds 0,1,2 --out results/cca
  pnpm bench --dataset mirflickr25k --data ~/data/mirflickr --protocol mirflickr25k-5k \\
             --config paper --backend tensorflow --out results/mir-paper
`;
}

function list(name: string, v: string): string[] {
  const parts = v.split(",").map((s) => s.trim());
  if (parts.every((s) => s.length === 0))
    throw new Error(`--${name} needs at least one value, got "${v}" (an unset shell variable?)`);
  if (parts.some((s) => s.length === 0))
    throw new Error(`--${name} has an empty item in "${v}" (a stray comma?)`);
  const seen = new Set<string>();
  for (const s of parts) {
    if (seen.has(s)) throw new Error(`--${name} lists "${s}" twice in "${v}"`);
    seen.add(s);
  }
  return parts;
}

function ints(name: string, v: string, min: number, max: number): number[] {
  return list(name, v).map((s) => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(`--${name}: "${s}" is not an integer from ${min} to ${max}`);
    }
    return n;
  });
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(
    d.getMinutes(),
  )}${p(d.getSeconds())}`;
}

/**
 * Parse `--set key=value[,key=value]` (repeatable) into config overrides: values are JSON when
 * they parse as JSON (numbers, booleans, quoted strings), bare strings otherwise.
 */
export function parseOverrides(items: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    for (const pair of item.split(/,(?=\s*[A-Za-z_][A-Za-z0-9_]*=)/)) {
      if (pair.trim() === "") continue;
      const eq = pair.indexOf("=");
      const key = eq > 0 ? pair.slice(0, eq).trim() : "";
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new Error(`--set: expected key=value, got "${pair}"`);
      }
      if (key === "bits" || key === "seed") {
        throw new Error(`--set ${key}: use --${key === "bits" ? "bits" : "seeds"} instead`);
      }
      const raw = pair.slice(eq + 1).trim();
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // a bare word: keep it as a string
      }
      out[key] = value;
    }
  }
  return out;
}

/**
 * The `--set` overrides as one method takes them: for a method class with a config `schema`, each
 * value is parsed by its key's schema (numbers, booleans, enums and the input spec without JSON
 * quoting; JSON values still accepted), and a wrong value throws naming the method, the key and
 * the expectation. Keys the schema lacks, and classes without a schema, pass through unchanged
 * (the constructor rejects an unknown key).
 */
export function methodOverrides(
  cls: { readonly methodName?: string; readonly schema?: ConfigSchema },
  overrides: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...overrides };
  const schema = cls.schema;
  if (!schema) return out;
  for (const [k, v] of Object.entries(overrides)) {
    if (!Object.hasOwn(schema.shape, k)) continue;
    const raw = typeof v === "string" ? v : JSON.stringify(v);
    out[k] = parseConfigValue(schema, k, raw, cls.methodName ?? "config");
  }
  return out;
}

/** Check a `--queue-name` (letters, digits, ".", "_", "-"). */
export function queueName(v: string): string {
  if (!/^[A-Za-z0-9][\w.-]{0,63}$/.test(v)) {
    throw new Error(`--queue-name must be letters, digits, ".", "_" or "-", got "${v}"`);
  }
  return v;
}

/** Parse argv (without the node and script paths). Throws with a clear message on bad input. */
export function parseCli(argv: readonly string[], now = new Date()): CliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      list: { type: "boolean" },
      report: { type: "boolean" },
      methods: { type: "string" },
      bits: { type: "string" },
      seeds: { type: "string" },
      config: { type: "string" },
      set: { type: "string", multiple: true },
      dataset: { type: "string" },
      data: { type: "string" },
      protocol: { type: "string" },
      backend: { type: "string" },
      out: { type: "string" },
      directions: { type: "string" },
      metric: { type: "string" },
      inline: { type: "boolean" },
      "skip-failed": { type: "boolean" },
      "no-html": { type: "boolean" },
      suite: { type: "string" },
      stats: { type: "boolean" },
      shard: { type: "string" },
      queue: { type: "string" },
      "queue-name": { type: "string" },
      attempts: { type: "string" },
    },
  });
  if (positionals.length > 0) {
    throw new Error(`unexpected argument "${positionals[0]}" (options start with --; see --help)`);
  }
  for (const [k, v] of Object.entries(values)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (typeof item === "string" && item.trim() === "")
        throw new Error(`--${k} is empty (an unset shell variable?): give a value or leave it out`);
    }
  }
  const preset = values.config ?? "quick";
  if (!/^[A-Za-z0-9][\w.+-]*$/.test(preset)) {
    throw new Error(
      `--config must name a preset (quick, paper, or a method's own), got "${preset}"`,
    );
  }
  const overrides = parseOverrides(values.set ?? []);
  const backend = values.backend ?? process.env.CMH_BACKEND ?? "auto";
  if (!BACKENDS.includes(backend)) {
    throw new Error(`--backend must be one of ${BACKENDS.join(", ")}, got "${backend}"`);
  }
  const directions =
    values.directions !== undefined
      ? list("directions", values.directions).map((d) => {
          if (!DIRECTIONS.includes(d as Direction)) {
            throw new Error(`--directions: "${d}" is not one of ${DIRECTIONS.join(", ")}`);
          }
          return d as Direction;
        })
      : DIRECTIONS;
  const metric = values.metric ?? "mAP@all";
  if (!METRICS.includes(metric)) {
    throw new Error(`--metric must be one of ${METRICS.join(", ")}, got "${metric}"`);
  }
  if (values.suite !== undefined && values.dataset !== undefined) {
    throw new Error("--suite runs its own sets: leave out --dataset");
  }
  if (values.stats && values.suite === undefined) {
    throw new Error("--stats prints a suite's statistics: give the suite with --suite");
  }
  if (values.report && !values.out) {
    throw new Error("--report rewrites the reports of an existing run: give its folder with --out");
  }
  if (values.queue !== undefined) parseRedisUrl(values.queue);
  if (values.attempts !== undefined && values.queue === undefined) {
    throw new Error("--attempts applies to queued runs: give --queue too");
  }
  if (values.queue !== undefined && values.inline) {
    throw new Error(
      "--inline cannot be combined with --queue (workers run each cell in a child process)",
    );
  }
  return {
    ...(values.shard !== undefined ? { shard: parseShard(values.shard) } : {}),
    ...(values.queue !== undefined ? { queue: values.queue } : {}),
    ...(values["queue-name"] !== undefined ? { queueName: queueName(values["queue-name"]) } : {}),
    ...(values.attempts !== undefined
      ? { attempts: ints("attempts", values.attempts, 1, 100)[0] }
      : {}),
    help: values.help === true,
    list: values.list === true,
    reportOnly: values.report === true,
    methods: values.methods !== undefined ? list("methods", values.methods) : undefined,
    bits: values.bits !== undefined ? ints("bits", values.bits, 8, 1024) : [16, 32, 64],
    seeds:
      values.seeds !== undefined ? ints("seeds", values.seeds, 0, Number.MAX_SAFE_INTEGER) : [0],
    preset,
    overrides,
    dataset: values.dataset ?? DEFAULT_DATASET,
    data: values.data,
    protocol: values.protocol,
    backend,
    out: values.out ?? join("results", timestamp(now)),
    directions,
    metric,
    isolation: values.inline ? "inline" : "process",
    retryFailed: values["skip-failed"] !== true,
    html: values["no-html"] !== true,
    suite: values.suite,
    stats: values.stats === true,
  };
}
