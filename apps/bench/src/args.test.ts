import { configSchema, z } from "@cmh/tensor-core";
import { describe, expect, it } from "vitest";
import { helpText, methodOverrides, parseCli, parseOverrides } from "./args";

describe("parseCli", () => {
  const now = new Date(2026, 0, 2, 3, 4, 5);

  it("has the documented defaults", () => {
    const o = parseCli([], now);
    expect(o).toMatchObject({
      help: false,
      methods: undefined,
      bits: [16, 32, 64],
      seeds: [0],
      preset: "quick",
      dataset: "synthetic-default",
      data: undefined,
      protocol: undefined,
      directions: ["i2t", "t2i", "i2i", "t2t"],
      metric: "mAP@all",
      isolation: "process",
      retryFailed: true,
      html: true,
    });
    expect(o.out).toMatch(/results[/\\]20260102-030405$/);
  });

  it("takes --suite (with --data, --set, --stats) and refuses it with --dataset", () => {
    const o = parseCli(["--suite", "feature-forms", "--data", "d", "--set", "lr=0.1"]);
    expect(o).toMatchObject({ suite: "feature-forms", data: "d", stats: false });
    expect(o.overrides).toEqual({ lr: 0.1 });
    expect(parseCli(["--suite", "feature-forms", "--stats"]).stats).toBe(true);
    expect(parseCli([]).suite).toBeUndefined();
    expect(() => parseCli(["--suite", "feature-forms", "--dataset", "val-hist"])).toThrow(
      /leave out --dataset/,
    );
    expect(() => parseCli(["--stats"])).toThrow(/--suite/);
    expect(helpText()).toMatch(/--suite <name>/);
  });

  it("takes any preset name and --set overrides as JSON values", () => {
    const o = parseCli([
      "--config",
      "Baseline-GAN",
      "--set",
      "lrG=0.5,graph=pair",
      "--set",
      "x=true",
    ]);
    expect(o.preset).toBe("Baseline-GAN");
    expect(o.overrides).toEqual({ lrG: 0.5, graph: "pair", x: true });
    expect(parseOverrides(['name="a"', "n=[1,2]"])).toEqual({ name: "a", n: [1, 2] });
    expect(parseCli([]).overrides).toEqual({});
  });

  it("parses --set values by a method's config schema, naming the key and expectation when wrong", () => {
    const cls = {
      methodName: "M",
      schema: configSchema({
        lr: z.number().gt(0).default(0.1).describe("lr"),
        optimizer: z.enum(["sgd", "adam"]).default("sgd").describe("optimiser"),
        centre: z.boolean().default(false).describe("centre"),
        tag: z.string().default("a").describe("a free string"),
      }),
    };
    const o = parseCli([
      "--set",
      "lr=1e-3,optimizer=adam,centre=true,input=standardize/scale,tag=12",
    ]);
    expect(methodOverrides(cls, o.overrides)).toEqual({
      lr: 0.001,
      optimizer: "adam",
      centre: true,
      input: "standardize/scale",
      tag: "12",
    });
    // JSON values keep working; keys the schema lacks pass through (the constructor rejects them).
    expect(methodOverrides(cls, parseOverrides(['optimizer="sgd"', "other=[1]"]))).toEqual({
      optimizer: "sgd",
      other: [1],
    });
    expect(() => methodOverrides(cls, parseOverrides(["lr=fast"]))).toThrow(
      'M: config.lr must be a number > 0, got "fast"',
    );
    expect(() => methodOverrides(cls, parseOverrides(["optimizer=rmsprop"]))).toThrow(
      'M: config.optimizer must be one of "sgd", "adam", got "rmsprop"',
    );
    expect(() => methodOverrides(cls, parseOverrides(["centre=yes"]))).toThrow(
      'M: config.centre must be a boolean, got "yes"',
    );
    // A class without a schema gets the overrides unchanged.
    expect(methodOverrides({ methodName: "Old" }, { lr: "x" })).toEqual({ lr: "x" });
  });

  it("parses every option", () => {
    const o = parseCli(
      [
        "--methods",
        "CCA-ITQ,UCH",
        "--bits",
        "32,128",
        "--seeds",
        "0,1,2",
        "--config",
        "paper",
        "--dataset",
        "mirflickr25k",
        "--data",
        "/data/mir",
        "--protocol",
        "mirflickr25k-10k",
        "--backend",
        "wasm",
        "--out",
        "runs/a",
        "--directions",
        "i2t,t2i",
        "--metric",
        "mAP@50",
        "--inline",
        "--skip-failed",
        "--no-html",
      ],
      now,
    );
    expect(o).toMatchObject({
      methods: ["CCA-ITQ", "UCH"],
      bits: [32, 128],
      seeds: [0, 1, 2],
      preset: "paper",
      dataset: "mirflickr25k",
      data: "/data/mir",
      protocol: "mirflickr25k-10k",
      backend: "wasm",
      out: "runs/a",
      directions: ["i2t", "t2i"],
      metric: "mAP@50",
      isolation: "inline",
      retryFailed: false,
      html: false,
    });
  });

  it("rejects bad values with a message naming the option and value", () => {
    expect(() => parseCli(["--bits", "16,abc"])).toThrow(
      '--bits: "abc" is not an integer from 8 to 1024',
    );
    expect(() => parseCli(["--bits", "2048"])).toThrow("--bits");
    expect(() => parseCli(["--seeds", "-1"])).toThrow(/--seeds/);
    expect(() => parseCli(["--config", "--x"])).toThrow(/--config/);
    expect(() => parseCli(["--config", "a b"])).toThrow("--config must name a preset");
    expect(() => parseCli(["--set", "lr"])).toThrow('--set: expected key=value, got "lr"');
    expect(() => parseCli(["--set", "bits=8"])).toThrow("use --bits");
    expect(() => parseCli(["--set", "seed=1"])).toThrow("use --seeds");
    expect(() => parseCli(["--backend", "cuda"])).toThrow(
      /--backend must be one of auto, tensorflow, wasm, cpu/,
    );
    expect(() => parseCli(["--directions", "i2x"])).toThrow('"i2x" is not one of');
    expect(() => parseCli(["--metric", "mAP@7"])).toThrow("--metric must be one of");
    expect(() => parseCli(["--frobnicate"])).toThrow(/frobnicate/);
    expect(() => parseCli(["extra"])).toThrow('unexpected argument "extra"');
    expect(() => parseCli(["--report"])).toThrow("--out");
    expect(() => parseCli(["--bits", ","])).toThrow("--bits needs at least one value");
  });

  it("treats empty values and repeated list items as usage errors", () => {
    for (const opt of ["--methods", "--bits", "--seeds", "--directions"]) {
      expect(() => parseCli([opt, ""])).toThrow(`${opt} is empty (an unset shell variable?)`);
      expect(() => parseCli([opt, " , "])).toThrow(`${opt} needs at least one value`);
    }
    for (const opt of ["--dataset", "--data", "--protocol", "--out", "--config", "--set"]) {
      expect(() => parseCli([opt, ""])).toThrow(`${opt} is empty`);
    }
    expect(() => parseCli(["--bits", "16,16"])).toThrow('--bits lists "16" twice in "16,16"');
    expect(() => parseCli(["--methods", "UCH,,SGEH"])).toThrow("--methods has an empty item");
    expect(() => parseCli(["--seeds", "0,1,0"])).toThrow('--seeds lists "0" twice');
    expect(() => parseCli(["--directions", "i2t,i2t"])).toThrow('--directions lists "i2t" twice');
    expect(parseCli(["--bits", "16, 32"]).bits).toEqual([16, 32]);
  });

  it("documents every option in --help, with an example", () => {
    const h = helpText();
    for (const opt of [
      "--methods",
      "--bits",
      "--seeds",
      "--config",
      "--dataset",
      "--data",
      "--protocol",
      "--backend",
      "--out",
      "--directions",
      "--metric",
      "--inline",
      "--skip-failed",
      "--no-html",
      "--report",
      "--list",
      "--help",
    ]) {
      expect(h).toContain(opt);
    }
    expect(h).toContain("Examples:");
    expect(h).toContain("pnpm bench --dataset mirflickr25k --data");
  });
});
