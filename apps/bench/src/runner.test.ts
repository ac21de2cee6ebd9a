import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { MethodEntry } from "./registry";
import { readResults } from "./results";
import { type BenchOptions, formatDuration, lockOut, progressLine, runBench } from "./runner";
import { makeFakeHasher } from "./test-fakes";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "cmh-bench-"));
  dirs.push(d);
  return d;
}

const Good = makeFakeHasher("FakeLSH");
const Sup = makeFakeHasher("FakeSup", true);
const entries: MethodEntry[] = [
  { name: "FakeLSH", package: "@cmh/test-fake", supervised: false, load: async () => Good },
  { name: "FakeSup", package: "@cmh/test-fake", supervised: true, load: async () => Sup },
];

function options(out: string, extra: Partial<BenchOptions> = {}): BenchOptions {
  return {
    methods: entries,
    bits: [16, 32],
    seeds: [0],
    preset: "quick",
    dataset: { name: "synthetic-small" },
    backend: "cpu",
    out,
    isolation: "inline",
    prepareBackend: async () => ({ name: "test-backend" }),
    log: () => {},
    status: () => {},
    ...extra,
  };
}

describe("runBench", () => {
  const out = tmp();
  let first: Awaited<ReturnType<typeof runBench>>;

  it("runs every method x bits x seed cell and writes one line per direction x metric", async () => {
    const lines: string[] = [];
    const statuses: string[] = [];
    first = await runBench(
      options(out, { log: (l) => lines.push(l), status: (l) => statuses.push(l) }),
    );
    expect(first.cells).toBe(4);
    expect(first.ran).toBe(4);
    expect(first.failed).toBe(0);
    const { records, cells } = readResults(join(out, "results.jsonl"));
    expect(cells.size).toBe(4);
    // 4 directions x (mAP@all, mAP@50, mAP@1000, P@r2, P@N, PR) per cell.
    expect(records.length).toBe(4 * 4 * 6);
    const r = records.find((x) => x.metric === "mAP@all" && x.direction === "t2i");
    expect(r).toBeDefined();
    expect(r?.value).toBeGreaterThan(0);
    expect(r?.value).toBeLessThanOrEqual(1);
    expect(r?.dataset.protocol).toBe("synthetic-small");
    expect(r?.dataset.synthetic).toBe(true);
    expect(r?.dataset.splitHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r?.config).toMatchObject({ epochs: 2, seed: 0 });
    // the fit report names the backend the method ran on
    expect(r?.backend).toEqual({ requested: "cpu", active: "test", kernelFixes: ["test:Fake"] });
    expect(r?.trainSeconds).toBeGreaterThan(0);
    expect(r?.encode?.image.itemsPerSecond).toBeGreaterThan(0);
    expect(r?.peakRssBytes).toBeGreaterThan(0);
    expect(r?.code.packages["@cmh/bench"]).toMatch(/^\d+\.\d+\.\d+/);
    // progress lines name method, bits, epoch, loss, elapsed and ETA
    expect(
      statuses.some((s) =>
        /FakeLSH 16 bits seed 0 · train epoch 1\/2 · loss 1\.000 · .* ETA/.test(s),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith("✓ FakeSup 32 bits seed 0: mAP@all i2t"))).toBe(true);
  });

  it("writes leaderboard.md and a self-contained report.html", () => {
    const md = readFileSync(join(out, "leaderboard.md"), "utf8");
    expect(md).toContain("### image → text — mAP@all");
    expect(md).toContain("FakeSup †supervised");
    expect(md).toContain("SYNTHETIC data");
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    // 4 direction tables + cost table
    expect(html.match(/<table>/g)?.length).toBe(5);
    // 2 cost charts + 4 directions x 2 bit lengths x (PR + P@N)
    expect(html.match(/<svg[\s>]/g)?.length).toBe(2 + 4 * 2 * 2);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?https?:/i);
  });

  it("skips finished cells on a re-run with the same --out and runs only the new ones", async () => {
    const second = await runBench(options(out, { seeds: [0, 1], htmlReport: false }));
    expect(second.cells).toBe(8);
    expect(second.skipped).toBe(4);
    expect(second.ran).toBe(4);
    const { cells, records } = readResults(join(out, "results.jsonl"));
    expect(cells.size).toBe(8);
    const md = readFileSync(join(out, "leaderboard.md"), "utf8");
    // two seeds: mean ± std, and equal to the records' mean
    const vals = records
      .filter(
        (r) =>
          r.method === "FakeLSH" &&
          r.bits === 16 &&
          r.direction === "i2t" &&
          r.metric === "mAP@all",
      )
      .map((r) => r.value as number);
    expect(vals.length).toBe(2);
    const mean = (vals[0] + vals[1]) / 2;
    expect(md).toContain(`${mean.toFixed(3)} ± `);
  });

  it("drops a cell cut short by a crash and runs it again", async () => {
    const path = join(out, "results.jsonl");
    const text = readFileSync(path, "utf8");
    const linesOf = text.trimEnd().split("\n");
    // Simulate a crash while writing the last cell: keep half of its lines, then half a line.
    const last = JSON.parse(linesOf.at(-1) as string);
    const cut = linesOf.slice(0, linesOf.length - Math.ceil(last.lines / 2));
    writeFileSync(path, `${cut.join("\n")}\n{"schema":"cmh-bench/1","att`);
    expect(readResults(path).cells.size).toBe(7);
    const logs: string[] = [];
    const third = await runBench(
      options(out, { seeds: [0, 1], htmlReport: false, log: (l) => logs.push(l) }),
    );
    expect(third.ran).toBe(1);
    expect(logs.some((l) => l.includes("partial line"))).toBe(true);
    expect(readResults(path).cells.size).toBe(8);
  });
});

describe("runBench failures", () => {
  it("records a throwing method and a NaN loss as failed cells and carries on", async () => {
    const out = tmp();
    const Thrower = makeFakeHasher("Thrower", false, { epochs: 3, throwAt: 2 });
    const Nan = makeFakeHasher("NanLoss", false, { epochs: 3, nanAt: 2 });
    const bad: MethodEntry[] = [
      { name: "Thrower", package: "x", supervised: false, load: async () => Thrower },
      { name: "NanLoss", package: "x", supervised: false, load: async () => Nan },
      { name: "FakeLSH", package: "x", supervised: false, load: async () => Good },
    ];
    const s = await runBench(options(out, { methods: bad, bits: [16], htmlReport: false }));
    expect(s.ran).toBe(3);
    expect(s.failed).toBe(2);
    const { records } = readResults(join(out, "results.jsonl"));
    const t = records.find((r) => r.method === "Thrower");
    expect(t?.status).toBe("failed");
    expect(t?.error?.phase).toBe("fit");
    expect(t?.error?.message).toContain("deliberate failure at epoch 2");
    const n = records.find((r) => r.method === "NanLoss");
    expect(n?.status).toBe("failed");
    expect(n?.error?.message).toMatch(/non-finite loss NaN .* epoch 2\/3/);
    expect(records.filter((r) => r.method === "FakeLSH" && r.status === "ok").length).toBe(24);
    const md = readFileSync(join(out, "leaderboard.md"), "utf8");
    expect(md).toContain("### Failed cells");
    expect(md).toMatch(/\| Thrower +\| +failed \|/);
    // A re-run retries failed cells (they may be fixed) unless told not to.
    const again = await runBench(
      options(out, { methods: bad, bits: [16], htmlReport: false, retryFailed: false }),
    );
    expect(again.ran).toBe(0);
    expect(again.skipped).toBe(3);
  });

  it("stops at an abort and does not record the interrupted cell", async () => {
    const out = tmp();
    const controller = new AbortController();
    const Slow = makeFakeHasher("Slow", false, { epochs: 50 });
    const s = await runBench(
      options(out, {
        methods: [{ name: "Slow", package: "x", supervised: false, load: async () => Slow }],
        bits: [16, 32],
        htmlReport: false,
        signal: controller.signal,
        status: (l) => {
          if (l.includes("epoch 3/50")) controller.abort(new Error("interrupted"));
        },
      }),
    );
    expect(s.interrupted).toBe(true);
    expect(s.ran).toBe(0);
    expect(readResults(join(out, "results.jsonl")).cells.size).toBe(0);
  });

  it("rejects bad bit lengths and a missing worker", async () => {
    await expect(runBench(options(tmp(), { bits: [4] }))).rejects.toThrow(
      /bit length 4 is out of range/,
    );
    await expect(
      runBench(
        options(tmp(), { isolation: "process", workerPath: join(tmpdir(), "no-such-worker.js") }),
      ),
    ).rejects.toThrow(/needs the built worker/);
  });
});

describe("lockOut", () => {
  it("refuses a folder locked by a live process and takes over a stale lock", () => {
    const out = tmp();
    // The parent of this test process is alive and is not us.
    writeFileSync(join(out, ".lock"), `${process.ppid}\n`);
    expect(() => lockOut(out)).toThrow(
      `another bench run (pid ${process.ppid}) is writing to ${out}`,
    );
    writeFileSync(join(out, ".lock"), "999999999\n"); // no such process
    const release = lockOut(out);
    expect(readFileSync(join(out, ".lock"), "utf8")).toBe(`${process.pid}\n`);
    release();
    expect(() => readFileSync(join(out, ".lock"))).toThrow();
  });
});

describe("progress formatting", () => {
  it("formats durations and progress lines with an ETA", () => {
    expect(formatDuration(12.34)).toBe("12.3s");
    expect(formatDuration(65)).toBe("1m05s");
    expect(formatDuration(7260)).toBe("2h01m");
    const line = progressLine(
      "[1/3] X 16 bits seed 0",
      { method: "X", phase: "train", epoch: 2, epochs: 10, loss: 0.5, elapsedSeconds: 4 },
      30,
    );
    expect(line).toBe(
      "[1/3] X 16 bits seed 0 · train epoch 2/10 · loss 0.5000 · 4.0s elapsed · ETA 16.0s (run 30.0s)",
    );
  });
});
