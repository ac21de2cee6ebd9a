import { describe, expect, it } from "vitest";
import { sharedDataPath } from "./shared-data";

describe("sharedDataPath", () => {
  it("returns undefined for a folder that does not exist", () => {
    expect(sharedDataPath("no-such-dataset-xyz")).toBeUndefined();
  });
  it("honours CMH_SHARED_DATA", () => {
    const old = process.env.CMH_SHARED_DATA;
    process.env.CMH_SHARED_DATA = new URL(".", import.meta.url).pathname;
    try {
      expect(sharedDataPath("shared-data.ts")).toMatch(/shared-data\.ts$/);
    } finally {
      if (old === undefined) delete process.env.CMH_SHARED_DATA;
      else process.env.CMH_SHARED_DATA = old;
    }
  });
});
