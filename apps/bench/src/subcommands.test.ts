import { describe, expect, it } from "vitest";
import { parseCli, queueName } from "./args";
import { MERGE_HELP, parseMergeCli, parseWorkerCli, WORKER_HELP } from "./subcommands";

describe("pnpm bench worker options", () => {
  it("parses the queue, concurrency, backend, data and stall timings", () => {
    expect(
      parseWorkerCli([
        "--queue",
        "rediss://:pw@h:6380/1",
        "--queue-name",
        "lab",
        "--concurrency",
        "2",
        "--backend",
        "tensorflow",
        "--data",
        "data/mir",
        "--lock-seconds",
        "2",
        "--stalled-seconds",
        "0.5",
      ]),
    ).toEqual({
      help: false,
      queue: "rediss://:pw@h:6380/1",
      queueName: "lab",
      concurrency: 2,
      backend: "tensorflow",
      data: "data/mir",
      lockDurationMs: 2000,
      stalledIntervalMs: 500,
    });
    expect(parseWorkerCli(["--queue", "redis://h:1/0"])).toMatchObject({
      concurrency: 1,
      backend: undefined,
      lockDurationMs: undefined,
    });
    expect(parseWorkerCli(["--help"]).help).toBe(true);
    expect(WORKER_HELP).toContain("--concurrency");
  });

  it("names bad values", () => {
    expect(() => parseWorkerCli([])).toThrow("worker needs --queue <redis url>");
    expect(() => parseWorkerCli(["--queue", "http://h"])).toThrow("redis:// or rediss://");
    expect(() => parseWorkerCli(["--queue", "redis://h", "--concurrency", "0"])).toThrow(
      '--concurrency must be an integer from 1 to 256, got "0"',
    );
    expect(() => parseWorkerCli(["--queue", "redis://h", "--backend", "gpu"])).toThrow('got "gpu"');
    expect(() => parseWorkerCli(["--queue", "redis://h", "--stalled-seconds", "0"])).toThrow(
      '--stalled-seconds must be a positive number, got "0"',
    );
    expect(() => parseWorkerCli(["--queue", "redis://h", "extra"])).toThrow(
      'unexpected argument "extra"',
    );
  });
});

describe("pnpm bench merge options", () => {
  it("takes folders and --out", () => {
    expect(parseMergeCli(["a", "b", "--out", "c", "--no-html"])).toEqual({
      help: false,
      dirs: ["a", "b"],
      out: "c",
      metric: undefined,
      html: false,
    });
    expect(() => parseMergeCli(["--out", "c"])).toThrow("merge needs result folders");
    expect(() => parseMergeCli(["a"])).toThrow("merge needs --out <dir>");
    expect(MERGE_HELP).toContain("different data (SHA-256)");
  });
});

describe("queue and shard options of pnpm bench", () => {
  it("parses --queue, --queue-name, --attempts and --shard", () => {
    const o = parseCli([
      "--queue",
      "redis://:pw@h:6379/0",
      "--queue-name",
      "lab-1",
      "--attempts",
      "3",
      "--shard",
      "1/4",
    ]);
    expect(o.queue).toBe("redis://:pw@h:6379/0");
    expect(o.queueName).toBe("lab-1");
    expect(o.attempts).toBe(3);
    expect(o.shard).toEqual({ index: 1, count: 4 });
    expect(parseCli([]).queue).toBeUndefined();
  });

  it("names bad values", () => {
    expect(() => parseCli(["--queue", "localhost"])).toThrow("redis://");
    expect(() => parseCli(["--attempts", "2"])).toThrow("--attempts applies to queued runs");
    expect(() => parseCli(["--queue", "redis://h", "--inline"])).toThrow(
      "--inline cannot be combined",
    );
    expect(() => parseCli(["--shard", "3/3"])).toThrow("--shard must be i/n");
    expect(() => queueName("a b")).toThrow(
      '--queue-name must be letters, digits, ".", "_" or "-", got "a b"',
    );
  });
});
