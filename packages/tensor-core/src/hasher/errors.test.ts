import { describe, expect, it } from "vitest";
import { ConfigError, checkTrainingRows, HasherError, requireBuilt } from "./errors";

describe("errors and shared guards", () => {
  it("ConfigError is a HasherError with its own name", () => {
    const e = new ConfigError("M: config.x must be a boolean, got 1");
    expect(e).toBeInstanceOf(HasherError);
    expect(e.name).toBe("ConfigError");
    expect(new HasherError("x").name).toBe("HasherError");
  });

  it("requireBuilt returns the value or names the method and what is missing", () => {
    const net = { w: 1 };
    expect(requireBuilt("UCH", net)).toBe(net);
    expect(requireBuilt("UCH", 0)).toBe(0);
    expect(() => requireBuilt("UCH", undefined)).toThrow(
      "UCH: model not built: call fit(train) or UCH.load(dir) first",
    );
    expect(() => requireBuilt("CMIMH", null, "critic")).toThrow(HasherError);
    expect(() => requireBuilt("CMIMH", null, "critic")).toThrow("CMIMH: critic not built");
  });

  it("checkTrainingRows accepts n >= min and names count and reason otherwise", () => {
    expect(() => checkTrainingRows("DSPAH", 2, 2)).not.toThrow();
    expect(() => checkTrainingRows("DSPAH", 1, 2, "batch norm")).toThrow(
      "DSPAH.fit needs at least 2 training pairs (batch norm), got 1",
    );
    expect(() => checkTrainingRows("M", 0, 1)).toThrow(
      "M.fit needs at least 1 training pairs, got 0",
    );
    expect(() => checkTrainingRows("M", 5, 0)).toThrow(/min must be an integer >= 1, got 0/);
  });
});
