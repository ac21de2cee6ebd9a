import { describe, expect, it } from "vitest";
import {
  baseConfigSchema,
  configSchema,
  defineConfig,
  epochScaleItemsSchema,
  expectedValue,
  formatValue,
  optimizerSchema,
  optionsTable,
  parseConfig,
  parseConfigValue,
  schemaDefaults,
  validatePresets,
  z,
} from "./config-schema";
import { ConfigError, HasherError } from "./errors";

const schema = configSchema({
  lr: z.number().gt(0).default(0.01).describe("Learning rate [paper: 0.01]."),
  optimizer: optimizerSchema.default("sgd").describe("Optimiser [code]."),
  centre: z.boolean().default(false).describe("Centre the codes (NOT in the paper)."),
  epochs: z.number().int().min(1).default(10).describe("Epochs | passes [suggested]."),
  gamma: z.number().gt(0).max(1).default(0.1).describe("Decay factor."),
  scales: z.array(z.number().int().min(1)).min(2).default([1, 2]).describe("Pooling sizes."),
});

describe("parseConfig", () => {
  it("fills every default, including the base keys", () => {
    expect(parseConfig("M", schema, {})).toEqual({
      bits: 32,
      seed: 0,
      input: "none",
      lr: 0.01,
      optimizer: "sgd",
      centre: false,
      epochs: 10,
      gamma: 0.1,
      scales: [1, 2],
    });
    expect(parseConfig("M", schema, { lr: 0.5, input: "standardize/scale" })).toMatchObject({
      lr: 0.5,
      input: "standardize/scale",
    });
  });

  it("names the method, key, value and expectation in one ConfigError", () => {
    const bad = (c: object) => () => parseConfig("UCH", schema, c);
    expect(bad({ lr: -1 })).toThrow(ConfigError);
    expect(bad({ lr: -1 })).toThrow("UCH: config.lr must be a number > 0, got -1");
    expect(bad({ lr: "x" })).toThrow('UCH: config.lr must be a number > 0, got "x"');
    expect(bad({ lr: Number.NaN })).toThrow("config.lr must be a number > 0, got NaN");
    expect(bad({ lr: Number.POSITIVE_INFINITY })).toThrow("got Infinity");
    expect(bad({ epochs: 2.5 })).toThrow("UCH: config.epochs must be an integer >= 1, got 2.5");
    expect(bad({ gamma: 2 })).toThrow("config.gamma must be a number in (0, 1], got 2");
    expect(bad({ optimizer: "rmsprop" })).toThrow(
      'UCH: config.optimizer must be one of "sgd", "adam", got "rmsprop"',
    );
    expect(bad({ centre: 1 })).toThrow("config.centre must be a boolean, got 1");
    expect(bad({ bits: 4 })).toThrow("config.bits must be an integer in [8, 1024], got 4");
    expect(bad({ seed: -1 })).toThrow("config.seed must be an integer >= 0, got -1");
    expect(bad({ input: "zscore" })).toThrow(/config\.input must be an input spec: .*got "zscore"/);
    expect(bad({ scales: [1] })).toThrow(
      "config.scales must be an array of at least 2 of integer >= 1, got [1]",
    );
    // ConfigError is a HasherError: callers catching HasherError keep working.
    expect(bad({ lr: -1 })).toThrow(HasherError);
  });

  it("rejects unknown keys and non-objects", () => {
    expect(() => parseConfig("UCH", schema, { lR: 1 })).toThrow(
      /UCH: unknown config key "lR" \(known keys: bits, seed, input, lr, /,
    );
    expect(() => parseConfig("UCH", schema, [] as unknown as object)).toThrow(
      "UCH: config must be an object, got array",
    );
    expect(() => parseConfig("UCH", schema, null as unknown as object)).toThrow(
      "config must be an object, got null",
    );
  });

  it("treats undefined values as the default", () => {
    expect(parseConfig("M", schema, { lr: undefined }).lr).toBe(0.01);
  });

  it("reports a cross-key rule's own sentence", () => {
    const s = configSchema({
      a: z.boolean().default(true).describe("a"),
      b: z.boolean().default(true).describe("b"),
    }).superRefine((c, ctx) => {
      if (!c.a && !c.b)
        ctx.addIssue({ code: "custom", message: "config.a or config.b must be true" });
    });
    expect(() => parseConfig("M", s as never, { a: false, b: false })).toThrow(
      "M: config.a or config.b must be true",
    );
  });
});

describe("schemaDefaults / defineConfig / validatePresets", () => {
  it("derives the defaults and validates every preset at definition time", () => {
    const m = defineConfig("M", schema, { paper: {}, quick: { epochs: 2, optimizer: "adam" } });
    expect(m.defaults.epochs).toBe(10);
    expect(m.presets.quick).toEqual({ epochs: 2, optimizer: "adam" });
    expect(Object.isFrozen(m.defaults) && Object.isFrozen(m.presets.quick)).toBe(true);
    expect(() => defineConfig("M", schema, { paper: {}, quick: { epochs: 0 } })).toThrow(
      'M preset "quick": config.epochs must be an integer >= 1, got 0',
    );
    expect(() =>
      validatePresets("M", schema, {
        typo: { epoch: 1 } as unknown as Partial<{ epochs: number }>,
      }),
    ).toThrow('M preset "typo": unknown config key "epoch"');
  });

  it("refuses a key without a default", () => {
    const s = configSchema({ lr: z.number().describe("no default") });
    expect(() => schemaDefaults("M", s)).toThrow('M: config key "lr" has no default');
  });

  it("lets a method redefine a base key's default", () => {
    const s = configSchema({ input: baseConfigSchema.shape.input.removeDefault().default("l2") });
    expect(schemaDefaults("M", s).input).toBe("l2");
  });
});

describe("expectedValue / formatValue", () => {
  it("phrases each kind of key", () => {
    expect(expectedValue(schema, "lr")).toBe("a number > 0");
    expect(expectedValue(schema, "epochs")).toBe("an integer >= 1");
    expect(expectedValue(schema, "optimizer")).toBe('one of "sgd", "adam"');
    expect(expectedValue(schema, "centre")).toBe("a boolean");
    expect(() => expectedValue(schema, "nope")).toThrow('no key "nope"');
  });

  it("writes values as JSON, non-finite numbers by name", () => {
    expect(formatValue("a")).toBe('"a"');
    expect(formatValue([1, 2])).toBe("[1,2]");
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe("-Infinity");
    expect(formatValue(undefined)).toBe("undefined");
  });
});

describe("epochScaleItemsSchema", () => {
  it("defaults to 0 and takes whole numbers ≥ 0 only", () => {
    const s = configSchema({ epochScaleItems: epochScaleItemsSchema });
    expect(parseConfig("M", s, {}).epochScaleItems).toBe(0);
    expect(parseConfig("M", s, { epochScaleItems: 5000 }).epochScaleItems).toBe(5000);
    expect(() => parseConfig("M", s, { epochScaleItems: -1 })).toThrow(/epochScaleItems.*-1/);
    expect(() => parseConfig("M", s, { epochScaleItems: 2.5 })).toThrow(ConfigError);
  });
});

describe("optionsTable", () => {
  it("renders key | type | default | description in schema order, escaping pipes", () => {
    const t = optionsTable(schema);
    const lines = t.trimEnd().split("\n");
    expect(lines[0]).toBe("| Key | Type / allowed values | Default | Description |");
    expect(lines[1]).toBe("|---|---|---|---|");
    expect(lines.slice(2).map((l) => l.split(" | ")[0])).toEqual([
      "| `bits`",
      "| `seed`",
      "| `input`",
      "| `lr`",
      "| `optimizer`",
      "| `centre`",
      "| `epochs`",
      "| `gamma`",
      "| `scales`",
    ]);
    expect(t).toContain("| `lr` | number > 0 | `0.01` | Learning rate [paper: 0.01]. |");
    expect(t).toContain('| `optimizer` | "sgd" \\| "adam" | `"sgd"` | Optimiser [code]. |');
    expect(t).toContain("| `centre` | boolean | `false` | Centre the codes (NOT in the paper). |");
    expect(t).toContain("Epochs \\| passes [suggested].");
    expect(t).toContain("| `bits` | integer in [8, 1024] | `32` |");
  });
});

describe("parseConfigValue (--set)", () => {
  it("parses numbers, booleans, enums and the input spec without JSON quoting", () => {
    expect(parseConfigValue(schema, "lr", "1e-3")).toBe(0.001);
    expect(parseConfigValue(schema, "epochs", " 5 ")).toBe(5);
    expect(parseConfigValue(schema, "centre", "true")).toBe(true);
    expect(parseConfigValue(schema, "optimizer", "adam")).toBe("adam");
    expect(parseConfigValue(schema, "input", "standardize/scale")).toBe("standardize/scale");
  });

  it("keeps accepting JSON values", () => {
    expect(parseConfigValue(schema, "optimizer", '"adam"')).toBe("adam");
    expect(parseConfigValue(schema, "scales", "[1,2,4]")).toEqual([1, 2, 4]);
  });

  it("names the key and the expectation for a wrong value", () => {
    expect(() => parseConfigValue(schema, "lr", "fast", "UCH")).toThrow(
      'UCH: config.lr must be a number > 0, got "fast"',
    );
    expect(() => parseConfigValue(schema, "lr", "-1", "UCH")).toThrow(
      "UCH: config.lr must be a number > 0, got -1",
    );
    expect(() => parseConfigValue(schema, "lr", "")).toThrow(ConfigError);
    expect(() => parseConfigValue(schema, "centre", "yes")).toThrow(
      'config.centre must be a boolean, got "yes"',
    );
    expect(() => parseConfigValue(schema, "optimizer", "rmsprop")).toThrow(
      'must be one of "sgd", "adam", got "rmsprop"',
    );
    expect(() => parseConfigValue(schema, "scales", "[1")).toThrow(/config\.scales must be/);
    expect(() => parseConfigValue(schema, "nope", "1", "UCH")).toThrow(
      'UCH: unknown config key "nope"',
    );
  });
});
