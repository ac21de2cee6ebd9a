/**
 * Test-only: a real `redis-server` on 127.0.0.1, on a free port, in a temporary folder, stopped
 * at the end. Tests that need it skip with a message when the binary is missing, except under
 * CI (`CI` set), where a missing Redis fails them.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** True when `redis-server` runs on this machine. */
export const HAVE_REDIS =
  spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;

/** Why Redis tests do not run here, or null when they do (or must: under CI they fail instead). */
export function redisSkipReason(): string | null {
  if (HAVE_REDIS || process.env.CI) return null;
  return "redis-server not found: the queue integration tests are skipped (apt-get install -y redis-server to run them; under CI they fail instead)";
}

/** True when `openssl` runs here (to make a certificate for the TLS test). */
export const HAVE_OPENSSL = spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0;

/** A self-signed certificate for 127.0.0.1 in `dir`: `{ cert, key }` paths. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`openssl could not make a certificate: ${r.stderr}`);
  return { cert, key };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A running Redis: its port, URL, and how to stop (or restart) it. */
export interface TestRedis {
  readonly port: number;
  readonly dir: string;
  /** `redis://[:password@]127.0.0.1:port/0`. */
  readonly url: string;
  stop(): Promise<void>;
  /** Stop and start again on the same port and folder (what persistence keeps, stays). */
  restart(): Promise<void>;
}

function waitReady(proc: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${out}`)),
      15_000,
    );
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${out}`));
    });
  });
}

/** Start `redis-server` (throws when it cannot). `appendonly` turns persistence on. */
export async function startRedis(
  options: {
    password?: string;
    appendonly?: boolean;
    /** Serve TLS only (`rediss://`), with this certificate and key (PEM files). */
    tls?: { cert: string; key: string };
  } = {},
): Promise<TestRedis> {
  if (!HAVE_REDIS) {
    throw new Error(
      "redis-server is not installed, and CI is set: the queue integration tests need it (apt-get install -y redis-server)",
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "cmh-redis-"));
  const args = [
    ...(options.tls
      ? [
          "--port",
          "0",
          "--tls-port",
          String(port),
          "--tls-cert-file",
          options.tls.cert,
          "--tls-key-file",
          options.tls.key,
          "--tls-auth-clients",
          "no",
        ]
      : ["--port", String(port)]),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.appendonly ? "yes" : "no",
    "--appendfsync",
    "always",
    ...(options.password ? ["--requirepass", options.password] : []),
  ];
  let proc: ChildProcess;
  const start = async () => {
    proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    await waitReady(proc);
  };
  const stop = async () => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    proc.kill("SIGTERM");
    await exited;
  };
  await start();
  return {
    port,
    dir,
    url: `${options.tls ? "rediss" : "redis"}://${options.password ? `:${encodeURIComponent(options.password)}@` : ""}127.0.0.1:${port}/0`,
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stop();
      await start();
    },
  };
}
