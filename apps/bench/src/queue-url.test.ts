import { describe, expect, it } from "vitest";
import { parseRedisUrl, redactUrl, redisConnection } from "./queue-url";

describe("Redis URLs", () => {
  it("accepts redis:// and rediss:// with user, password and db", () => {
    expect(parseRedisUrl("redis://127.0.0.1:6379/0").port).toBe("6379");
    const u = parseRedisUrl("rediss://bench:pa%40ss@redis.example.org:6380/2");
    expect(u.protocol).toBe("rediss:");
    expect(decodeURIComponent(u.password)).toBe("pa@ss");
    expect(redisConnection("rediss://:x@h:1/0")).toEqual({
      url: "rediss://:x@h:1/0",
      maxRetriesPerRequest: null,
    });
  });

  it("rejects other schemes, no host and a non-numeric db, naming the value", () => {
    expect(() => parseRedisUrl("http://h:1")).toThrow(
      'must use redis:// or rediss:// (TLS), got "http://"',
    );
    expect(() => parseRedisUrl("localhost:6379")).toThrow("redis://");
    expect(() => parseRedisUrl("not a url")).toThrow('got "not a url"');
    expect(() => parseRedisUrl("redis://h:1/abc")).toThrow(
      'database number (/0, /1, ...), got "/abc"',
    );
  });

  it("never shows the password", () => {
    expect(redactUrl("redis://:secret@h:6379/0")).toBe("redis://:***@h:6379/0");
    expect(redactUrl("rediss://user:secret@h:6380/1")).toBe("rediss://user:***@h:6380/1");
    expect(redactUrl("redis://h:6379/0")).toBe("redis://h:6379/0");
    expect(() => parseRedisUrl("ftp://:secret@h/0")).toThrow(/ftp:\/\/:\*\*\*@h\/0/);
  });
});
