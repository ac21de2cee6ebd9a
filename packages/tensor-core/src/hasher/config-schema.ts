/**
 * One declarative config schema per method (zod): the config type, the defaults (the `paper`
 * preset), validation of user configs and presets with one error class, the README options table
 * and the bench's `--set` parsing all derive from it.
 */
import { MAX_BITS, MIN_BITS } from "@cmh/hamming-index";
import { z } from "zod";
import { OPTIMIZER_NAMES } from "../network/optim";
import { ConfigError } from "./errors";
import { type InputSpec, parseInputSpec } from "./input-stage";

export { z };

/** A method's config schema: a strict zod object whose every key has a default. */
// biome-ignore lint/suspicious/noExplicitAny: any zod shape; the concrete type is inferred per method.
export type ConfigSchema = z.ZodObject<any, z.core.$strict>;

/** The config type a schema describes (every key present, defaults filled in). */
export type ConfigOf<S extends ConfigSchema> = z.output<S>;

/** Per-key metadata beyond zod's own: `expected` overrides the derived "must be ..." phrase. */
export interface ConfigKeyMeta {
  /** Short description with provenance tags ([paper], [code], ...), shown in the options table. */
  readonly description?: string;
  /** What a valid value is, as used in errors and the options table ("an input spec: ..."). */
  readonly expected?: string;
}

/** True when `v` is a valid `InputSpec` ("standardize", "standardize/scale", ...). */
function isInputSpec(v: unknown): v is InputSpec {
  if (typeof v !== "string") return false;
  try {
    parseInputSpec(v);
    return true;
  } catch {
    return false;
  }
}

/** The schema of the shared `input` key (an `InputSpec` string), without a default. */
export const inputSpecSchema = z.custom<InputSpec>(isInputSpec).meta({
  expected:
    'an input spec: none | standardize | center-scale | scale | l2, or "<image mode>/<text mode>"',
});

/** The schema of an `optimizer` key ("sgd" | "adam", see `createOptimizer`), without a default. */
export const optimizerSchema = z.enum(OPTIMIZER_NAMES);

/**
 * The schema of an `epochScaleItems` key (see `epochScale`), default 0: a budget in updates, so
 * that a small training set gets about as many updates as a larger one. In none of the papers.
 */
export const epochScaleItemsSchema = z
  .number()
  .int()
  .min(0)
  .default(0)
  .describe(
    "When > 0, every phase's epochs × max(1, round(epochScaleItems / n)) for n training items; 0 = epochs as given (NOT in the paper).",
  );

/** The keys every method shares: `bits`, `seed`, `input`, with their defaults. */
export const baseConfigShape = {
  bits: z.number().int().min(MIN_BITS).max(MAX_BITS).default(32).describe("Code length in bits."),
  seed: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("Seed of every random choice in fit (init, shuffling, sampling)."),
  input: inputSpecSchema
    .default("none")
    .describe(
      'The shared input stage, fitted on the training rows: one mode for both modalities or "<image>/<text>".',
    ),
};

/** The base schema every method schema extends (`bits`, `seed`, `input`). */
export const baseConfigSchema = z.strictObject(baseConfigShape);

/**
 * A method's schema: the base keys plus `shape` (a key of `shape` may redefine a base key, e.g.
 * another `input` default). Every key must carry a `.default(...)` and a `.describe(...)`.
 */
export function configSchema<S extends z.ZodRawShape>(shape: S) {
  return baseConfigSchema.extend(shape);
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** A value as written in messages: JSON, or `String(v)` where JSON has no form (NaN, Infinity). */
export function formatValue(v: unknown): string {
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "a function";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

type Json = Record<string, unknown>;

function jsonOf(field: z.ZodType): Json {
  return z.toJSONSchema(field, { unrepresentable: "any", io: "input" }) as Json;
}

function num(x: unknown): string {
  return formatValue(x);
}

function rangePhrase(j: Json): string {
  const lo =
    j.exclusiveMinimum !== undefined
      ? { v: j.exclusiveMinimum, open: true }
      : j.minimum !== undefined
        ? { v: j.minimum, open: false }
        : undefined;
  const hi =
    j.exclusiveMaximum !== undefined
      ? { v: j.exclusiveMaximum, open: true }
      : j.maximum !== undefined
        ? { v: j.maximum, open: false }
        : undefined;
  // zod writes its safe-integer bounds for .int(); they say nothing to a reader.
  const big = (v: unknown) => typeof v === "number" && Math.abs(v) >= Number.MAX_SAFE_INTEGER;
  const l = lo && !big(lo.v) ? lo : undefined;
  const h = hi && !big(hi.v) ? hi : undefined;
  if (l && h) return ` in ${l.open ? "(" : "["}${num(l.v)}, ${num(h.v)}${h.open ? ")" : "]"}`;
  if (l) return ` ${l.open ? ">" : ">="} ${num(l.v)}`;
  if (h) return ` ${h.open ? "<" : "<="} ${num(h.v)}`;
  return "";
}

function phrase(j: Json, article: boolean): string {
  const a = (s: string) => (article ? s : s.replace(/^(a|an) /, ""));
  if (typeof j.expected === "string")
    return article ? j.expected : j.expected.replace(/^(a|an) /, "");
  if (Array.isArray(j.enum)) {
    const list = j.enum.map((v) => formatValue(v)).join(", ");
    return j.enum.length === 1
      ? list
      : article
        ? `one of ${list}`
        : j.enum.map(formatValue).join(" | ");
  }
  if (j.const !== undefined) return formatValue(j.const);
  const alts = (j.anyOf ?? j.oneOf) as Json[] | undefined;
  if (Array.isArray(alts)) return alts.map((x) => phrase(x, article)).join(" or ");
  switch (j.type) {
    case "integer":
      return a(`an integer${rangePhrase(j)}`);
    case "number":
      return a(`a number${rangePhrase(j)}`);
    case "boolean":
      return a("a boolean");
    case "string":
      return a("a string");
    case "null":
      return "null";
    case "array": {
      const items = j.items as Json | undefined;
      const n =
        j.minItems !== undefined && j.minItems === j.maxItems
          ? ` of exactly ${j.minItems}`
          : j.minItems !== undefined
            ? ` of at least ${j.minItems}`
            : "";
      return a(`an array${n}${items ? ` of ${phrase(items, false)}` : ""}`);
    }
    case "object":
      return a("an object");
    default:
      return a("a valid value");
  }
}

function fieldOf(schema: ConfigSchema, key: string): z.ZodType | undefined {
  const shape = schema.shape as Record<string, z.ZodType>;
  return Object.hasOwn(shape, key) ? shape[key] : undefined;
}

/** What a valid value of `key` is, as a phrase ("a number > 0", "one of \"sgd\", \"adam\""). */
export function expectedValue(schema: ConfigSchema, key: string): string {
  const f = fieldOf(schema, key);
  if (!f) throw new ConfigError(`expectedValue: the schema has no key "${key}"`);
  return phrase(jsonOf(f), true);
}

function unknownKey(method: string, schema: ConfigSchema, key: string): ConfigError {
  return new ConfigError(
    `${method}: unknown config key "${key}" (known keys: ${Object.keys(schema.shape).join(", ")})`,
  );
}

/**
 * Validate `config` (a partial config) against `schema` and fill in the defaults. Throws one
 * ConfigError naming the method, the key, the value and the expectation; unknown keys rejected;
 * `undefined` values mean "the default".
 */
export function parseConfig<S extends ConfigSchema>(
  method: string,
  schema: S,
  config: unknown = {},
): ConfigOf<S> {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigError(`${method}: config must be an object, got ${typeName(config)}`);
  }
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (!fieldOf(schema, k)) throw unknownKey(method, schema, k);
    if (v !== undefined) clean[k] = v;
  }
  const r = schema.safeParse(clean);
  if (r.success) return r.data as ConfigOf<S>;
  const issue = r.error.issues.find((i) => i.code === "unrecognized_keys") ?? r.error.issues[0];
  if (issue.code === "unrecognized_keys") throw unknownKey(method, schema, issue.keys[0]);
  const key = issue.path[0];
  if (issue.code === "custom" && issue.message && issue.message !== "Invalid input") {
    // A cross-key rule written with .superRefine/.refine: its message is the sentence.
    throw new ConfigError(`${method}: ${issue.message}`);
  }
  if (typeof key !== "string" || !fieldOf(schema, key)) {
    throw new ConfigError(`${method}: invalid config: ${issue.message}`);
  }
  throw new ConfigError(
    `${method}: config.${key} must be ${expectedValue(schema, key)}, got ${formatValue(clean[key])}`,
  );
}

/** The defaults a schema declares (its `paper` configuration); throws if a key has no default. */
export function schemaDefaults<S extends ConfigSchema>(method: string, schema: S): ConfigOf<S> {
  for (const [k, f] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (!(f instanceof z.ZodDefault))
      throw new ConfigError(`${method}: config key "${k}" has no default (add .default(...))`);
  }
  return parseConfig(method, schema, {});
}

/**
 * Validate every preset against the schema (each merged over the defaults); throws a ConfigError
 * naming the preset (`UCH preset "quick": config.lr must be a number > 0, got 0`).
 */
export function validatePresets<S extends ConfigSchema>(
  method: string,
  schema: S,
  presets: Readonly<Record<string, Partial<ConfigOf<S>>>>,
): void {
  for (const [name, p] of Object.entries(presets))
    parseConfig(`${method} preset "${name}"`, schema, p);
}

/** What `defineConfig` returns: the schema, its defaults and the validated presets, frozen. */
export interface MethodConfig<S extends ConfigSchema, P extends string = string> {
  readonly schema: S;
  readonly defaults: Readonly<ConfigOf<S>>;
  readonly presets: Readonly<Record<P, Partial<ConfigOf<S>>>>;
}

/**
 * Define a method's config once: derives the defaults from `schema` and validates every preset at
 * definition time (a bad preset fails at import, naming the preset, key, value and expectation).
 */
export function defineConfig<S extends ConfigSchema, P extends string>(
  method: string,
  schema: S,
  presets: Record<P, Partial<ConfigOf<S>>>,
): MethodConfig<S, P> {
  const defaults = Object.freeze(schemaDefaults(method, schema));
  validatePresets(method, schema, presets as Record<string, Partial<ConfigOf<S>>>);
  const frozen = Object.freeze(
    Object.fromEntries(
      Object.entries(presets).map(([k, v]) => [k, Object.freeze({ ...(v as object) })]),
    ),
  ) as Readonly<Record<P, Partial<ConfigOf<S>>>>;
  return Object.freeze({ schema, defaults, presets: frozen });
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * The README options table of a schema, in markdown: key | type / allowed values | default |
 * description (from each key's `.describe(...)`), one row per key in schema order.
 */
export function optionsTable(schema: ConfigSchema): string {
  const rows = ["| Key | Type / allowed values | Default | Description |", "|---|---|---|---|"];
  for (const [k, f] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const j = jsonOf(f);
    const def = j.default === undefined ? "" : `\`${cell(formatValue(j.default))}\``;
    const desc = typeof j.description === "string" ? j.description : "";
    rows.push(`| \`${k}\` | ${cell(phrase(j, false))} | ${def} | ${cell(desc)} |`);
  }
  return `${rows.join("\n")}\n`;
}

/**
 * Parse the text of a `--set key=value` by the key's schema: numbers, booleans, enums and the
 * input spec need no JSON quoting; JSON values are accepted too (quoted strings, arrays). Throws a
 * ConfigError naming the key and the expectation.
 */
export function parseConfigValue(
  schema: ConfigSchema,
  key: string,
  raw: string,
  method = "config",
): unknown {
  const f = fieldOf(schema, key);
  if (!f) throw unknownKey(method, schema, key);
  const j = jsonOf(f);
  const text = raw.trim();
  const fail = () =>
    new ConfigError(
      `${method}: config.${key} must be ${expectedValue(schema, key)}, got ${JSON.stringify(raw)}`,
    );
  let value: unknown;
  const type = Array.isArray(j.enum) || typeof j.expected === "string" ? "string" : j.type;
  if (type === "number" || type === "integer") {
    value = text === "" ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) throw fail();
  } else if (type === "boolean") {
    if (text !== "true" && text !== "false") throw fail();
    value = text === "true";
  } else if (type === "string") {
    value = text;
    if (text.startsWith('"')) {
      try {
        value = JSON.parse(text);
      } catch {
        throw fail();
      }
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch {
      throw fail();
    }
  }
  const r = f.safeParse(value);
  if (!r.success) {
    const custom = r.error.issues.find((i) => i.code === "custom" && i.message !== "Invalid input");
    if (custom) throw new ConfigError(`${method}: ${custom.message}`);
    throw new ConfigError(
      `${method}: config.${key} must be ${expectedValue(schema, key)}, got ${formatValue(value)}`,
    );
  }
  return r.data;
}
