/**
 * The bench on many machines, end to end with real processes and a real Redis: a local run as
 * the reference; the queue (coordinator + two workers, one SIGKILLed mid-cell, the coordinator
 * SIGKILLed and restarted); shards 0/3..2/3 merged; failures, refused jobs and a data-hash
 * mismatch; a Redis restart without persistence. Needs the built CLI (`pnpm build`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cellKey } from "./cell";
import { type CellJobData, type CellJobResult, JOB_SCHEMA, jobIdFor } from "./queue";
import { type ResultRecord, readResults } from "./results";
import {
  HAVE_OPENSSL,
  redisSkipReason,
  selfSignedCert,
  startRedis,
  type TestRedis,
} from "./test-redis";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const skip = redisSkipReason();
if (skip) console.warn(skip);
else if (!HAVE_OPENSSL)
  console.warn("openssl not found: the TLS (rediss://) queue test is skipped");

const COMMON = [
  "--methods",
  "CCA-ITQ",
  "--bits",
  "16,32,64",
  "--seeds",
  "0,1",
  "--dataset",
  "synthetic-small",
  "--backend",
  "cpu",
  "--no-html",
];
/** Short lock and stalled check, so a killed worker's cell starts again within seconds. */
const FAST_STALL = ["--lock-seconds", "2", "--stalled-seconds", "1"];

interface Proc {
  readonly proc: ChildProcess;
  output(): string;
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<number | null>;
}

const procs: Proc[] = [];
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "cmh-queue-"));
  dirs.push(d);
  return d;
}

/** Run the bench CLI; `detached` puts it in its own process group (to kill it with its cells). */
function cli(args: readonly string[], detached = false, env: Record<string, string> = {}): Proc {
  const proc = spawn(process.execPath, [CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    detached,
    env: { ...process.env, FORCE_COLOR: "0", ...env },
  });
  let out = "";
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const w of [...waiters]) {
      const m = out.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  const p: Proc = {
    proc,
    output: () => out,
    exited,
    waitFor(re, ms = 120_000) {
      const m = out.match(re);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${re} in:\n${out.slice(-3000)}`)),
          ms,
        );
        waiters.push({
          re,
          resolve: (x) => {
            clearTimeout(timer);
            resolve(x);
          },
        });
        void exited.then(() => {
          const last = out.match(re);
          if (last) return;
          clearTimeout(timer);
          reject(new Error(`process exited before ${re}:\n${out.slice(-3000)}`));
        });
      });
    },
  };
  procs.push(p);
  return p;
}

async function stop(p: Proc, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill(signal);
  return p.exited;
}

/** Scalar metric values of a results folder, by cell / direction / metric. */
function scalars(dir: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of readResults(join(dir, "results.jsonl")).records) {
    if (typeof r.value === "number") m.set(`${r.cell}#${r.direction}#${r.metric}`, r.value);
  }
  return m;
}

/** The leaderboard without what differs between two runs of the same cells (costs, git commit). */
function tablesOnly(dir: string): string {
  const md = readFileSync(join(dir, "leaderboard.md"), "utf8");
  return md
    .replace(/### Cost\n[\s\S]*?(?=\n## |\n### Failed|$)/g, "### Cost (left out)\n")
    .replace(/^Code: \S+( \(uncommitted changes\))?;/m, "Code: (left out);");
}

function expectSameNumbers(dir: string, reference: Map<string, number>): void {
  const got = scalars(dir);
  expect([...got.keys()].sort()).toEqual([...reference.keys()].sort());
  for (const [k, v] of reference) {
    expect(Math.abs((got.get(k) as number) - v), k).toBeLessThanOrEqual(1e-12);
  }
}

afterAll(async () => {
  for (const p of procs) {
    if (p.proc.exitCode === null && p.proc.signalCode === null) {
      try {
        if (p.proc.pid && p.proc.spawnargs.includes("worker")) process.kill(-p.proc.pid, "SIGKILL");
      } catch {
        // not a group leader
      }
      p.proc.kill("SIGKILL");
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(skip !== null)("the bench on many machines (real Redis, real processes)", () => {
  const local = tmp();
  let reference: Map<string, number>;
  let redis: TestRedis;
  const password = "s3cret-pass";

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "pnpm build" first`);
    redis = await startRedis({ password });
    const run = cli([...COMMON, "--out", local]);
    expect(await run.exited, run.output()).toBe(0);
    reference = scalars(local);
    // 6 cells x 4 directions x (mAP@all, mAP@50, mAP@1000, P@r2)
    expect(reference.size).toBe(6 * 4 * 4);
  }, 300_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it("queue: two workers, one SIGKILLed mid-cell, the coordinator killed and restarted: every cell once, same mAP as the local run", async () => {
    const out = tmp();
    const args = [...COMMON, "--queue", redis.url, "--out", out];
    const c1 = cli(args);
    const w1 = cli(["worker", "--queue", redis.url, ...FAST_STALL], true);
    const w2 = cli(["worker", "--queue", redis.url, ...FAST_STALL], true);
    await w2.waitFor(/cmh bench worker \S+:(\d+)/);
    const [, killedKey] = await w1.waitFor(/→ (\S+) \(start 1/);
    // Machine loss: the worker and its cell process, at once.
    process.kill(-(w1.proc.pid as number), "SIGKILL");
    await w1.exited;
    // A cell is recorded, then the coordinator dies too; a new one resumes the run.
    await c1.waitFor(/✓ CCA-ITQ/, 240_000);
    await stop(c1, "SIGKILL");
    const c2 = cli(args);
    expect(await c2.exited, c2.output()).toBe(0);
    expect(c1.output() + c2.output()).not.toContain(password);
    expect(readFileSync(join(out, "run.json"), "utf8")).not.toContain(password);
    expect(c2.output()).toMatch(/already queued|cells enqueued/);

    const path = join(out, "results.jsonl");
    const { cells, records, ignoredLines } = readResults(path);
    expect(cells.size).toBe(6);
    expect([...cells.values()].every((s) => s === "ok")).toBe(true);
    expect(ignoredLines).toBe(0);
    // Exactly once: one attempt per cell in the whole file, no line written twice.
    const raw = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ResultRecord);
    expect(raw.length).toBe(records.length);
    expect(new Set(raw.map((r) => r.attempt)).size).toBe(6);
    expectSameNumbers(out, reference);
    expect(tablesOnly(out)).toBe(tablesOnly(local));

    // The killed worker's cell was run again by the other worker.
    const [, w2pid] = (w2.output().match(/cmh bench worker \S+:(\d+)/) as RegExpMatchArray) ?? [];
    const [method, , bits, seed] = killedKey.split("|");
    const done = new RegExp(`✓ ${method} ${bits} bits seed ${seed}: .* on \\S+:${w2pid}`);
    expect(c1.output() + c2.output()).toMatch(done);
    expect(w2.output()).toContain(`→ ${killedKey} (start 2 of at most 2)`);
    expect(await stop(w2)).toBe(0);
  }, 420_000);

  it("shards 0/3, 1/3, 2/3 merged give the local run's leaderboard", async () => {
    const shards = [0, 1, 2].map(() => tmp());
    const runs = shards.map((d, i) => cli([...COMMON, "--shard", `${i}/3`, "--out", d]));
    for (const r of runs) expect(await r.exited, r.output()).toBe(0);
    const counts = shards.map((d) => readResults(join(d, "results.jsonl")).cells.size);
    expect(counts).toEqual([2, 2, 2]);
    const merged = tmp();
    const m = cli(["merge", ...shards, "--out", merged, "--no-html"]);
    expect(await m.exited, m.output()).toBe(0);
    expect(m.output()).toContain("6 cells (0 duplicate copies dropped)");
    expectSameNumbers(merged, reference);
    expect(tablesOnly(merged)).toBe(tablesOnly(local));
    // Merging a shard with the whole run again: duplicates dropped, nothing changes.
    const again = tmp();
    const m2 = cli(["merge", shards[0], local, "--out", again, "--no-html"]);
    expect(await m2.exited, m2.output()).toBe(0);
    expect(m2.output()).toContain("6 cells (2 duplicate copies dropped)");
  }, 300_000);

  it("records a cell that fails twice as failed, with its error, and refuses bad jobs", async () => {
    const name = "cmh-bench-failures";
    const out = tmp();
    const w = cli(["worker", "--queue", redis.url, "--queue-name", name, ...FAST_STALL], true);
    const c = cli([
      ...COMMON.slice(0, 2),
      "--bits",
      "16",
      "--seeds",
      "0",
      "--dataset",
      "synthetic-small",
      "--backend",
      "cpu",
      "--no-html",
      "--config",
      "no-such-preset",
      "--queue",
      redis.url,
      "--queue-name",
      name,
      "--out",
      out,
    ]);
    expect(await c.exited, c.output()).toBe(1);
    const { records } = readResults(join(out, "results.jsonl"));
    expect(records.length).toBe(1);
    expect(records[0].status).toBe("failed");
    expect(records[0].error?.message).toContain("no-such-preset");
    expect(w.output()).toMatch(/start 2 of at most 2/);

    // Jobs written by someone else: an unregistered method, and data that is not the worker's.
    const queue = new Queue<CellJobData, CellJobResult>(name, {
      connection: { url: redis.url, maxRetriesPerRequest: null },
    });
    try {
      const spec = {
        method: "CCA-ITQ",
        preset: "quick",
        bits: 16,
        seed: 0,
        dataset: { name: "synthetic-small" },
      };
      const good = {
        schema: JOB_SCHEMA,
        cell: cellKey(spec),
        ...spec,
        backend: "cpu",
        directions: ["i2t"],
        dataHash: "0".repeat(64),
        attempts: 1,
      } as CellJobData;
      const evil = { ...good, method: "Evil", cell: cellKey({ ...spec, method: "Evil" }) };
      await queue.add("cell", evil, { jobId: jobIdFor(evil.cell), attempts: 1 });
      await queue.add("cell", good, { jobId: jobIdFor(good.cell), attempts: 1 });
      const until = Date.now() + 120_000;
      let evilState = "";
      let goodState = "";
      while (Date.now() < until && (evilState !== "failed" || goodState !== "completed")) {
        await new Promise((r) => setTimeout(r, 300));
        evilState = (await (await queue.getJob(jobIdFor(evil.cell)))?.getState()) ?? "";
        goodState = (await (await queue.getJob(jobIdFor(good.cell)))?.getState()) ?? "";
      }
      const e = await queue.getJob(jobIdFor(evil.cell));
      expect(evilState).toBe("failed");
      expect(e?.failedReason).toContain('method "Evil" is not registered');
      const g = await queue.getJob(jobIdFor(good.cell));
      expect(goodState).toBe("completed");
      const o = g?.returnvalue.run.outcome;
      expect(o?.status).toBe("failed");
      const msg = o?.status === "failed" ? o.error.message : "";
      expect(msg).toMatch(
        /data hash mismatch on synthetic-small seed 0: this worker \(.+\) has [0-9a-f]{64}, the coordinator has 0{64}/,
      );
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await stop(w);
    }
  }, 300_000);

  it("re-enqueues what a Redis restart without persistence lost, and finishes", async () => {
    const plain = await startRedis();
    try {
      const out = tmp();
      const args = [
        "--methods",
        "CCA-ITQ",
        "--bits",
        "16,32",
        "--dataset",
        "synthetic-small",
        "--backend",
        "cpu",
        "--no-html",
        "--queue",
        plain.url,
        "--out",
        out,
      ];
      const c = cli(args);
      await c.waitFor(/2 cells enqueued/);
      await plain.restart();
      await c.waitFor(/no longer in Redis .*: enqueued again/, 60_000);
      const w = cli(["worker", "--queue", plain.url, ...FAST_STALL], true);
      expect(await c.exited, c.output()).toBe(0);
      expect(readResults(join(out, "results.jsonl")).cells.size).toBe(2);
      for (const [k, v] of scalars(out))
        expect(Math.abs(v - (reference.get(k) as number))).toBeLessThanOrEqual(1e-12);
      await stop(w);
    } finally {
      await plain.stop();
    }
  }, 300_000);
  it.skipIf(!HAVE_OPENSSL)(
    "runs over TLS (rediss://) with a password in the URL",
    async () => {
      const certDir = tmp();
      const tls = selfSignedCert(certDir);
      const secure = await startRedis({ password: "tls-pass", tls });
      try {
        expect(secure.url).toMatch(/^rediss:\/\/:tls-pass@127\.0\.0\.1:\d+\/0$/);
        const env = { NODE_EXTRA_CA_CERTS: tls.cert };
        const out = tmp();
        const w = cli(["worker", "--queue", secure.url, ...FAST_STALL], true, env);
        const c = cli(
          [
            "--methods",
            "CCA-ITQ",
            "--bits",
            "16",
            "--dataset",
            "synthetic-small",
            "--backend",
            "cpu",
            "--no-html",
            "--queue",
            secure.url,
            "--out",
            out,
          ],
          false,
          env,
        );
        expect(await c.exited, c.output()).toBe(0);
        expect(c.output()).toContain("rediss://:***@127.0.0.1");
        expect(c.output()).not.toContain("tls-pass");
        const got = scalars(out);
        expect(got.size).toBe(4 * 4);
        for (const [k, v] of got) {
          expect(Math.abs(v - (reference.get(k) as number))).toBeLessThanOrEqual(1e-12);
        }
        await stop(w);
      } finally {
        await secure.stop();
      }
    },
    180_000,
  );
});
