import { synthetic } from "@cmh/datasets";
import { describe, expect, it } from "vitest";
import { type CellSpec, cellKey, presetLabel, runCell, trainingView } from "./cell";
import { loadDataset } from "./dataset";
import { renderLeaderboard } from "./leaderboard";
import { toRecords } from "./results";
import { makeFakeHasher } from "./test-fakes";

const spec: CellSpec = {
  method: "Fake",
  package: "x",
  supervised: false,
  preset: "quick",
  bits: 16,
  seed: 3,
  dataset: { name: "synthetic-small" },
  backend: "cpu",
  directions: ["i2t", "t2i"],
};

describe("runCell", () => {
  it("fits without labels for an unsupervised method and with them for a supervised one", async () => {
    const data = await loadDataset(spec.dataset, 0);
    const U = makeFakeHasher("U");
    const S = makeFakeHasher("S", true);
    const u = await runCell(U, spec, data);
    expect(u.status).toBe("ok");
    expect(U.lastFitHadLabels).toBe(false);
    const s = await runCell(S, { ...spec, supervised: true }, data);
    expect(s.status).toBe("ok");
    expect(S.lastFitHadLabels).toBe(true);
    if (u.status === "ok") {
      expect(u.metrics.directions).toEqual(["i2t", "t2i"]);
      expect(u.metrics.i2t?.["mAP@1000"]).toBeGreaterThan(0);
      expect(u.config).toMatchObject({ bits: 16, seed: 3, epochs: 2 });
      expect(u.encode.image.items).toBe(data.split.query.length + data.split.database.length);
    }
  });

  it("carries the fit report's kernel fixes into every result line", async () => {
    const data = await loadDataset(spec.dataset, 0);
    const out = await runCell(makeFakeHasher("K"), spec, data);
    expect(out.status === "ok" && out.kernelFixes).toEqual(["test:Fake"]);
    const ctx = {
      runId: "r",
      attempt: "a",
      identity: data.identity,
      code: { packages: {}, commit: null, dirty: null, node: "v20" },
      peakRssBytes: null,
      peakRssScope: "runner-process" as const,
    };
    const lines = toRecords(spec, out, ctx);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.backend.kernelFixes).toEqual(["test:Fake"]);
  });

  it("fails clearly on a missing preset, bad codes and a missing label set", async () => {
    const data = await loadDataset(spec.dataset, 0);
    const F = makeFakeHasher("F");
    const noPreset = await runCell(F, { ...spec, preset: "huge" }, data);
    expect(noPreset).toMatchObject({ status: "failed", phase: "config" });
    expect(noPreset.status === "failed" && noPreset.error.message).toBe(
      'Fake has no "huge" preset (it has: quick, paper)',
    );
    const bad = await runCell(makeFakeHasher("Bad", false, { badEncode: true }), spec, data);
    expect(bad).toMatchObject({ status: "failed", phase: "encode" });
    expect(bad.status === "failed" && bad.error.message).toMatch(/expected 200 codes of 16 bits/);
    const G = makeFakeHasher("G");
    const { labels: _l, ...unlabelled } = data.set;
    const noLabels = await runCell(G, spec, { ...data, set: unlabelled });
    expect(noLabels).toMatchObject({ status: "failed", phase: "evaluate" });
  });

  it("records code health per modality; constant codes are marked collapsed in the leaderboard", async () => {
    const data = await loadDataset(spec.dataset, 0);
    const ok = await runCell(makeFakeHasher("H"), spec, data);
    const flat = await runCell(makeFakeHasher("C", false, { constant: ["image"] }), spec, data);
    expect(ok.status === "ok" && ok.codeHealth.image.collapsed).toBe(false);
    expect(ok.status === "ok" && ok.codeHealth.text.collapsed).toBe(false);
    if (flat.status !== "ok") throw new Error("the constant fake should fit");
    expect(flat.codeHealth.image).toMatchObject({ collapsed: true, distinct: 1, constantBits: 16 });
    expect(flat.codeHealth.text.collapsed).toBe(false);
    const ctx = {
      runId: "r",
      attempt: "a",
      identity: data.identity,
      code: { packages: {}, commit: null, dirty: false, node: "v20" },
      peakRssBytes: null,
      peakRssScope: "cell-process" as const,
    };
    const recs = [
      ...toRecords({ ...spec, method: "H" }, ok, ctx),
      ...toRecords({ ...spec, method: "C" }, flat, { ...ctx, attempt: "b" }),
    ];
    expect(recs[0].codeHealth?.image.distinctShare).toBeGreaterThan(0.5);
    const md = renderLeaderboard(recs);
    const row = (m: string) => md.split("\n").find((l) => l.startsWith(`| ${m} `)) ?? "";
    expect(row("C")).toMatch(/⚠ collapsed image/);
    expect(row("H")).not.toMatch(/collapsed/);
    expect(md).toMatch(/fewer than 1 % distinct codes/);
  });

  it("keys cells by method, preset, bits, seed and dataset", () => {
    expect(cellKey(spec)).toBe("Fake|quick|16|3|synthetic-small|");
    expect(cellKey({ ...spec, dataset: { name: "wiki", protocol: "wiki" } })).toBe(
      "Fake|quick|16|3|wiki|wiki",
    );
    const tuned = { ...spec, overrides: { lr: 0.5, epochs: 4 } };
    expect(presetLabel(tuned)).toBe("quick + epochs=4,lr=0.5");
    expect(cellKey(tuned)).toBe("Fake|quick + epochs=4,lr=0.5|16|3|synthetic-small|");
    expect(presetLabel({ ...spec, overrides: {} })).toBe("quick");
  });

  it("applies --set overrides on top of the preset", async () => {
    const data = await loadDataset(spec.dataset, 0);
    const out = await runCell(makeFakeHasher("O"), { ...spec, overrides: { epochs: 5 } }, data);
    expect(out.status === "ok" && out.config).toMatchObject({ bits: 16, seed: 3, epochs: 5 });
  });

  it("strips labels only when the method does not read them", () => {
    const set = synthetic({ nQuery: 10, nDatabase: 40, nTrain: 20 }).set;
    expect(trainingView(set, false).labels).toBeUndefined();
    expect(trainingView(set, true).labels).toBe(set.labels);
  });
});
