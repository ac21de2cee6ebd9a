/**
 * Entry point of a cell's child process (dist/worker.js): receives one cell, runs it, reports
 * progress and the outcome with the process's peak memory, exits. A method that crashes the
 * process only loses its own cell.
 */

import { hostname } from "node:os";
import { type BackendChoice, backendName, initBackend } from "@cmh/tensor-core";
import { type CellOutcome, runCell } from "./cell";
import { dataHash } from "./data-hash";
import { type DatasetIdentity, loadDataset, primeDatasetCache, writeDatasetCache } from "./dataset";
import type { RunCellMessage, WorkerMessage, WriteCacheMessage } from "./protocol";
import { selectMethods } from "./registry";

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

function failure(phase: "backend" | "load" | "config", e: unknown): CellOutcome {
  return {
    status: "failed",
    phase,
    error: e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) },
    config: null,
    backend: null,
    trainSeconds: null,
  };
}

async function handle(msg: RunCellMessage): Promise<void> {
  const { spec } = msg;
  let outcome: CellOutcome;
  let identity: DatasetIdentity | null = null;
  try {
    try {
      const info = await initBackend({ backend: spec.backend as BackendChoice, log: false });
      await send({
        type: "backend",
        name: info.name,
        provider: info.provider,
        message: info.message,
      });
    } catch (e) {
      outcome = failure("backend", e);
      return finish();
    }
    const [entry] = selectMethods([spec.method]);
    const Cls = await entry.load();
    let data: Awaited<ReturnType<typeof loadDataset>>;
    try {
      if (msg.datasetCache) {
        try {
          primeDatasetCache(spec.dataset, msg.datasetCache);
        } catch {
          // fall back to loading the data files / generating the set in this process
        }
      }
      data = await loadDataset(spec.dataset, spec.seed);
      identity = data.identity;
      if (msg.expectDataHash !== undefined) {
        const here = dataHash(data.identity);
        if (here !== msg.expectDataHash) {
          throw new Error(
            `data hash mismatch on ${spec.dataset.name} seed ${spec.seed}: this worker (${hostname()}) has ${here}, the coordinator has ${msg.expectDataHash}; give every machine the same data (--dataset/--data)`,
          );
        }
      }
    } catch (e) {
      outcome = failure("load", e);
      return finish();
    }
    outcome = await runCell(Cls, spec, data, {
      backendName,
      onProgress: (event) => {
        void send({ type: "progress", event });
      },
    });
  } catch (e) {
    outcome = failure("config", e);
  }
  return finish();

  async function finish(): Promise<void> {
    await send({
      type: "done",
      outcome,
      identity,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    });
    process.exit(0);
  }
}

async function writeCache(msg: WriteCacheMessage): Promise<void> {
  try {
    await writeDatasetCache(msg.dataset, msg.file);
    await send({ type: "cached", file: msg.file });
  } catch (e) {
    await send({ type: "cached", file: null, error: e instanceof Error ? e.message : String(e) });
  }
  process.exit(0);
}

process.on("message", (msg: RunCellMessage | WriteCacheMessage) => {
  if (msg?.type === "run") void handle(msg);
  else if (msg?.type === "cache") void writeCache(msg);
});
