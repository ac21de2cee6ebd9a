/** Redis URLs of the job queue: validation, redaction for logs, and BullMQ connection options. */

/** Check a `redis://` or `rediss://` (TLS) URL; throws naming the bad value. */
export function parseRedisUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(
      `--queue must be a Redis URL like redis://host:6379/0 or rediss://:password@host:6380/0, got "${redactUrl(url)}"`,
    );
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new Error(
      `--queue must use redis:// or rediss:// (TLS), got "${u.protocol}//" in "${redactUrl(url)}"`,
    );
  }
  if (!u.hostname) throw new Error(`--queue: no host in "${redactUrl(url)}"`);
  const db = u.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) {
    throw new Error(`--queue: the path must be a database number (/0, /1, ...), got "/${db}"`);
  }
  return u;
}

/** The URL with its password replaced by "***" (for logs and run.json). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/([^@/]*):[^@/]*@/, "//$1:***@");
  }
}

/** BullMQ connection options for a Redis URL (ioredis reads user, password, db and TLS from it). */
export function redisConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  parseRedisUrl(url);
  // ioredis turns on TLS for rediss:// itself (certificates are checked against Node's CAs, plus
  // NODE_EXTRA_CA_CERTS); BullMQ workers need maxRetriesPerRequest: null; ioredis reconnects after
  // a Redis restart on its own.
  return { url, maxRetriesPerRequest: null };
}
