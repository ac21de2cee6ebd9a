import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cmh-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(
  args: string[],
  onStdout?: (text: string, child: ChildProcess) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, CMH_BACKEND: "cpu" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => {
      stdout += b;
      onStdout?.(stdout, child);
    });
    child.stderr.on("data", (b) => {
      stderr += b;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A CSV folder in the I_tr/T_tr/L_tr/I_te/T_te/L_te layout with the given class ids. */
function csvFolder(name: string, trainIds: number[], testIds: number[]): string {
  const d = join(dir, name);
  const rows = (n: number, cols: number, seed: number) =>
    Array.from({ length: n }, (_, i) =>
      Array.from({ length: cols }, (_, j) => (((i + 1) * (j + 3) * seed) % 17) / 7 - 1).join(","),
    ).join("\n");
  const w = (f: string, text: string) => {
    writeFileSync(join(d, f), `${text}\n`, { flag: "w" });
  };
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  w("I_tr.csv", rows(trainIds.length, 6, 3));
  w("T_tr.csv", rows(trainIds.length, 5, 5));
  w("L_tr.csv", trainIds.join("\n"));
  w("I_te.csv", rows(testIds.length, 6, 7));
  w("T_te.csv", rows(testIds.length, 5, 11));
  w("L_te.csv", testIds.join("\n"));
  return d;
}

describe.skipIf(!existsSync(cli))("bench CLI usage errors exit 2 with a message", () => {
  it("refuses data whose queries share no label with the database (disjoint class ids)", async () => {
    const cycle = (n: number, ids: number[]) => Array.from({ length: n }, (_, i) => ids[i % 3]);
    const data = csvFolder("disjoint", cycle(60, [-1, -2, -3]), cycle(20, [1, 2, 3]));
    const out = join(dir, "out-disjoint");
    const r = await run([
      "--methods",
      "CCA-ITQ",
      "--bits",
      "16",
      "--dataset",
      "custom",
      "--data",
      data,
      "--out",
      out,
      "--inline",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /dataset check: 20 of 20 queries \(split seed 0\) share no label with any database item, so every score would be about 0/,
    );
    expect(existsSync(join(out, "results.jsonl"))).toBe(false);
  });

  it("exits 2 for an unknown dataset, an empty --methods, repeated bits and --out on a file", async () => {
    const nope = await run(["--dataset", "nope"]);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/Dataset "nope" is not generated, so --data <path> is needed/);
    const empty = await run(["--methods", ""]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--methods is empty/);
    const twice = await run(["--bits", "16,16"]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/--bits lists "16" twice/);
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const onFile = await run(["--methods", "CCA-ITQ", "--bits", "16", "--out", file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toMatch(/--out .*a-file is an existing file, not a folder/);
  });

  it("ends on SIGTERM like on Ctrl-C: nothing partial recorded, lock released, reports written", async () => {
    const out = join(dir, "out-term");
    let sent = false;
    const r = await run(
      [
        "--methods",
        "UCH",
        "--bits",
        "16",
        "--dataset",
        "synthetic-small",
        "--out",
        out,
        "--inline",
        "--no-html",
      ],
      (text, child) => {
        if (!sent && /backend: /.test(text)) {
          sent = true;
          setTimeout(() => child.kill("SIGTERM"), 300);
        }
      },
    );
    expect(sent).toBe(true);
    expect(r.stderr).toMatch(/terminated: stopping after writing the reports/);
    expect(r.code).toBe(130);
    expect(existsSync(join(out, ".lock"))).toBe(false);
    expect(existsSync(join(out, "leaderboard.md"))).toBe(true);
    const results = join(out, "results.jsonl");
    const text = existsSync(results) ? readFileSync(results, "utf8") : "";
    expect(text).toBe("");
  }, 120_000);
});
