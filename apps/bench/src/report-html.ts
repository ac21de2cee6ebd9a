/**
 * `report.html`: one self-contained file (no script, no external resource) with the leaderboard
 * tables, PR curves by Hamming radius and P@N curves per direction and bit length, and train-time
 * and encode-throughput charts. Charts are Vega-Lite specs rendered to SVG in Node by Vega.
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import {
  type Align,
  COLLAPSE_NOTE,
  COST_ALIGN,
  costRows,
  defaultAlign,
  directionRows,
  FAILURE_ALIGN,
  failureRows,
  groupHeading,
  type LeaderboardOptions,
  metricNote,
} from "./leaderboard";
import { PAPER_RESULTS } from "./paper-results";
import type { ResultRecord } from "./results";
import { cellStat, DIRECTION_NAMES, groupResults, meanCurve, type ResultGroup } from "./summary";

/** Escape text for HTML. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Render a Vega-Lite spec to an SVG string (server-side, no DOM, no canvas). */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const WIDTH = 300;
const HEIGHT = 220;

function htmlTable(
  header: readonly string[],
  rows: readonly string[][],
  align: readonly Align[] = defaultAlign(header.length),
): string {
  const cls = (j: number) => (align[j] === "r" ? ' class="num"' : "");
  const th = header.map((h, j) => `<th${cls(j)}>${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${r.map((c, j) => `<td${cls(j)}>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/**
 * The PR chart by Hamming radius: pooled precision and recall (all query-item pairs within radius
 * r, summed over queries), so a query whose Hamming ball is empty adds nothing instead of a
 * precision of 0; the share of such queries is given per method in the subtitle and per point.
 */
export function prSpec(g: ResultGroup, direction: ResultGroup["directions"][number], bits: number) {
  const values: {
    method: string;
    radius: number;
    recall: number;
    precision: number;
    emptyBalls: number;
  }[] = [];
  const shares: string[] = [];
  for (const m of g.methods) {
    const c = meanCurve(g, m.name, bits, direction, "PR");
    if (!c?.radius || !c.precisionMicro || !c.recallMicro) continue;
    const empty = c.emptyShare;
    c.radius.forEach((r, i) => {
      // every ball empty at this radius: no pooled precision exists, so no point
      if (empty ? empty[i] >= 1 : c.meanRetrieved?.[i] === 0) return;
      values.push({
        method: m.name,
        radius: r,
        recall: c.recallMicro[i],
        precision: c.precisionMicro[i],
        emptyBalls: empty ? empty[i] : Number.NaN,
      });
    });
    if (empty) {
      const pct = (x: number) => `${Math.round(100 * x)}%`;
      shares.push(
        `${m.name}: ${[0, 1, 2]
          .filter((r) => r < empty.length)
          .map((r) => pct(empty[r]))
          .join(" / ")}`,
      );
    }
  }
  if (values.length === 0) return null;
  const spec: vl.TopLevelSpec = {
    title: {
      text: `PR by Hamming radius · ${DIRECTION_NAMES[direction]} · ${bits} bits`,
      subtitle: [
        "pooled over queries: Σ relevant within r / Σ retrieved within r, and / Σ relevant",
        "queries with an empty Hamming ball are left out; their share at r = 0 / 1 / 2:",
        ...shares,
      ],
    },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: "line", point: { size: 12 } },
    encoding: {
      x: {
        field: "recall",
        type: "quantitative",
        scale: { domain: [0, 1] },
        title: "pooled recall",
      },
      y: {
        field: "precision",
        type: "quantitative",
        scale: { zero: false },
        title: "pooled precision (empty balls excluded)",
      },
      color: { field: "method", type: "nominal", title: "method" },
      order: { field: "radius", type: "quantitative" },
      tooltip: [
        { field: "method", type: "nominal" },
        { field: "radius", type: "quantitative" },
        { field: "precision", type: "quantitative", format: ".3f" },
        { field: "recall", type: "quantitative", format: ".3f" },
        { field: "emptyBalls", type: "quantitative", format: ".0%", title: "empty balls" },
      ],
    },
  };
  return spec;
}

function pAtNSpec(g: ResultGroup, direction: ResultGroup["directions"][number], bits: number) {
  const values: { method: string; N: number; precision: number }[] = [];
  for (const m of g.methods) {
    const c = meanCurve(g, m.name, bits, direction, "P@N");
    if (!c?.N) continue;
    c.N.forEach((n, i) => {
      values.push({ method: m.name, N: n, precision: c.precision[i] });
    });
  }
  if (values.length === 0) return null;
  const spec: vl.TopLevelSpec = {
    title: `P@N · ${DIRECTION_NAMES[direction]} · ${bits} bits`,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: "line", point: { size: 12 } },
    encoding: {
      x: {
        field: "N",
        type: "quantitative",
        scale: { type: "log" },
        title: "N (top-ranked items)",
      },
      y: { field: "precision", type: "quantitative", scale: { zero: false }, title: "precision@N" },
      color: { field: "method", type: "nominal", title: "method" },
    },
  };
  return spec;
}

function costSpecs(g: ResultGroup): { title: string; spec: vl.TopLevelSpec }[] {
  const train: { method: string; bits: string; seconds: number }[] = [];
  const encode: { method: string; bits: string; modality: string; itemsPerSecond: number }[] = [];
  for (const m of g.methods) {
    for (const b of g.bits) {
      const t = cellStat(g, m.name, b, (r) => r.trainSeconds);
      if (t) train.push({ method: m.name, bits: `${b}`, seconds: t.mean });
      for (const modality of ["image", "text"] as const) {
        const e = cellStat(g, m.name, b, (r) => r.encode?.[modality].itemsPerSecond ?? null);
        if (e) encode.push({ method: m.name, bits: `${b}`, modality, itemsPerSecond: e.mean });
      }
    }
  }
  const out: { title: string; spec: vl.TopLevelSpec }[] = [];
  if (train.length > 0) {
    out.push({
      title: "Train time",
      spec: {
        title: "Train time (seconds, mean over seeds)",
        width: WIDTH,
        height: HEIGHT,
        data: { values: train },
        mark: "bar",
        encoding: {
          x: { field: "bits", type: "ordinal", title: "bits", sort: null },
          xOffset: { field: "method", type: "nominal" },
          y: { field: "seconds", type: "quantitative", title: "train seconds" },
          color: { field: "method", type: "nominal", title: "method" },
        },
      },
    });
  }
  if (encode.length > 0) {
    out.push({
      title: "Encode throughput",
      spec: {
        title: "Encode throughput (items per second, mean over seeds)",
        data: { values: encode },
        facet: { column: { field: "modality", type: "nominal", title: "modality" } },
        spec: {
          width: WIDTH * 0.8,
          height: HEIGHT,
          mark: "bar",
          encoding: {
            x: { field: "bits", type: "ordinal", title: "bits", sort: null },
            xOffset: { field: "method", type: "nominal" },
            y: { field: "itemsPerSecond", type: "quantitative", title: "items / s" },
            color: { field: "method", type: "nominal", title: "method" },
          },
        },
      },
    });
  }
  return out;
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.5rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; } th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.plots { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; } figcaption { font-size: 0.8rem; color: #555; }
.synthetic { background: #fff4d6; border: 1px solid #e0c060; padding: 0.4rem 0.8rem; }
.note { color: #555; font-size: 0.9rem; }
`;

/** What `renderReport` produced: the HTML and its plot count. */
export interface RenderedReport {
  readonly html: string;
  readonly plots: number;
  readonly tables: number;
}

/** Render the HTML report of a set of result lines. */
export async function renderReport(
  records: readonly ResultRecord[],
  options: LeaderboardOptions = {},
): Promise<RenderedReport> {
  const metric = options.metric ?? "mAP@all";
  const paperResults = options.paperResults ?? PAPER_RESULTS;
  const title = options.title ?? "cmh bench report";
  const parts: string[] = [];
  let plots = 0;
  let tables = 0;
  const figure = async (spec: vl.TopLevelSpec, caption: string) => {
    const svg = await renderSvg(spec);
    plots++;
    return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
  };
  const groups = groupResults(records);
  if (groups.length === 0) {
    parts.push("<p>No results yet: no cell has finished (or no method is registered).</p>");
  } else {
    const first = records[0];
    parts.push(
      `<p class="note">Metric: ${escapeHtml(metricNote(records, metric).replace(/\*\*/g, ""))}. Cells show mean ± sample std over seeds. † supervised: trains with labels.</p>`,
      `<p class="note">${escapeHtml(COLLAPSE_NOTE)}</p>`,
      `<p class="note">Code: ${escapeHtml(first.code.commit ?? "not a git checkout")}${first.code.dirty ? " (uncommitted changes)" : ""}; ${escapeHtml(
        Object.entries(first.code.packages)
          .map(([k, v]) => `${k}@${v}`)
          .join(", "),
      )}; Node ${escapeHtml(first.code.node)}.</p>`,
    );
  }
  for (const g of groups) {
    parts.push(`<h2>${escapeHtml(groupHeading(g))}</h2>`);
    if (g.synthetic) {
      parts.push(
        `<p class="synthetic">Synthetic data: generated by @cmh/datasets; these numbers rank methods on this generator and are not comparable with any paper's.</p>`,
      );
    }
    parts.push("<h3>Leaderboard</h3>");
    for (const d of g.directions) {
      parts.push(`<h4>${escapeHtml(`${DIRECTION_NAMES[d]} — ${metric}`)}</h4>`);
      parts.push(
        htmlTable(
          ["method", ...g.bits.map((b) => `${b} bits`)],
          directionRows(g, d, metric, paperResults),
        ),
      );
      tables++;
    }
    parts.push("<h3>Cost</h3>");
    parts.push(
      htmlTable(
        ["method", "bits", "train s", "encode image/s", "encode text/s", "peak RSS MiB", "backend"],
        costRows(g),
        COST_ALIGN,
      ),
    );
    tables++;
    const costs = costSpecs(g);
    if (costs.length > 0) {
      const figs: string[] = [];
      for (const c of costs) figs.push(await figure(c.spec, c.title));
      parts.push(`<div class="plots">${figs.join("\n")}</div>`);
    }
    const failures = failureRows(g);
    if (failures.length > 0) {
      parts.push("<h3>Failed cells</h3>");
      parts.push(htmlTable(["method", "bits", "seed", "phase", "error"], failures, FAILURE_ALIGN));
      tables++;
    }
    for (const d of g.directions) {
      parts.push(`<h3>${escapeHtml(`Curves · ${DIRECTION_NAMES[d]}`)}</h3>`);
      const figs: string[] = [];
      for (const b of g.bits) {
        const pr = prSpec(g, d, b);
        if (pr) figs.push(await figure(pr, `PR curve by Hamming radius, ${b} bits`));
        const pn = pAtNSpec(g, d, b);
        if (pn) figs.push(await figure(pn, `P@N, ${b} bits`));
      }
      parts.push(`<div class="plots">${figs.join("\n")}</div>`);
    }
  }
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${parts.join("\n")}
</body>
</html>
`;
  return { html, plots, tables };
}
