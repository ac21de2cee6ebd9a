import { ConfigError } from "@cmh/tensor-core";
import { describeHasherConformance, tinySet } from "@cmh/testing";
import { describe, expect, it } from "vitest";
import { __Class__ } from "./method";

describeHasherConformance(__Class__, { config: { ...__Class__.presets.quick, bits: 16 } });

describe("__Class__", () => {
  it("lowers its loss during training", async () => {
    const h = new __Class__({ epochs: 5, bits: 16 });
    const report = await h.fit(tinySet());
    expect(report.history[4].total).toBeLessThan(report.history[0].total);
    h.dispose();
  });

  it("rejects a bad config value with a ConfigError naming key, value and expectation", () => {
    expect(() => new __Class__({ epochs: 1.5 })).toThrow(ConfigError);
    expect(() => new __Class__({ epochs: 1.5 })).toThrow(
      "config.epochs must be an integer >= 1, got 1.5",
    );
  });
});
