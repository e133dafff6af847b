import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, loadConfig } from "./config.ts";

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

describe("loadConfig", () => {
  test("an empty environment gives the documented defaults", () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.appOrigin, "http://localhost:3000");
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.dataDir, "./.data");
    assert.equal(config.logLevel, "info");
    assert.equal(config.limits.messagesPerMinute, 30);
    assert.equal(config.limits.maxSocketsPerUser, 10, "PROTOCOL: at most 10 sockets per person");
    assert.equal(config.timing.heartbeatMs, 15_000);
    assert.equal(config.timing.presenceGraceMs, 5_000);
    assert.equal(config.retention.maxMessages, 50);
    assert.equal(config.retention.maxAgeMs, 86_400_000);
    assert.deepEqual(config.oauth, { google: undefined, github: undefined, discord: undefined });
  });

  test("values are parsed into their types", () => {
    const config = loadConfig({
      PORT: "8080",
      APP_ORIGIN: "https://chat.example.com/some/path",
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
      MESSAGES_PER_MINUTE: "6000",
      TRUST_PROXY: "true",
      GITHUB_CLIENT_ID: "id",
      GITHUB_CLIENT_SECRET: "secret",
    });
    assert.equal(config.port, 8080);
    assert.equal(config.appOrigin, "https://chat.example.com");
    assert.equal(config.databaseUrl, "postgres://postgres@127.0.0.1:5432/test");
    assert.equal(config.limits.messagesPerMinute, 6000);
    assert.equal(config.trustProxy, true);
    assert.deepEqual(config.oauth.github, { clientId: "id", clientSecret: "secret" });
  });

  test("PORT=0 leaves the origin to be filled in after listening", () => {
    assert.equal(loadConfig({ PORT: "0" }).appOrigin, undefined);
  });

  test("a bad value stops start-up with one line naming the variable", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: "abc" }, /^PORT must be a whole number from 0 to 65535, got "abc"$/],
      [{ PORT: "70000" }, /^PORT must be a whole number/],
      [{ MESSAGES_PER_MINUTE: "-5" }, /^MESSAGES_PER_MINUTE must be a whole number from 1/],
      [{ HEARTBEAT_MS: "1.5" }, /^HEARTBEAT_MS must be a whole number/],
      [
        { APP_ORIGIN: "not a url" },
        /^APP_ORIGIN must be a http:\/\/ or https:\/\/ URL, got "not a url"$/,
      ],
      [
        { DATABASE_URL: "mysql://x" },
        /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
      ],
      [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL must be one of fatal, error/],
      [{ TRUST_PROXY: "yes" }, /^TRUST_PROXY must be "true" or "false"/],
      [{ GOOGLE_CLIENT_ID: "only-the-id" }, /^GOOGLE_CLIENT_SECRET must be set together/],
    ];
    for (const [env, expected] of cases) {
      const message = configError(env);
      assert.match(message, expected);
      assert.ok(!message.includes("\n"), `one line, got ${JSON.stringify(message)}`);
    }
  });

  test("secret values are never echoed in the error", () => {
    const message = configError({ ADMIN_TOKEN: "short" });
    assert.match(message, /^ADMIN_TOKEN must be at least 16 characters long$/);
    const urlMessage = configError({ DATABASE_URL: "ftp://user:hunter2@host/db" });
    assert.ok(!urlMessage.includes("hunter2"));
  });
});

describe("cluster mode", () => {
  const POSTGRES = "postgres://postgres@127.0.0.1:5432/test";

  test("without NATS_URL there is no cluster", () => {
    assert.equal(loadConfig({}).cluster, undefined);
  });

  test("NATS_URL with DATABASE_URL: a cluster node, named after host and pid unless NODE_ID says", () => {
    const cluster = loadConfig({
      NATS_URL: "nats://127.0.0.1:4222",
      DATABASE_URL: POSTGRES,
    }).cluster;
    assert.equal(cluster?.natsUrl, "nats://127.0.0.1:4222");
    assert.match(cluster?.nodeId ?? "", new RegExp(`-${process.pid}$`));
    assert.equal(cluster?.leaseMs, 5_000);
    assert.equal(cluster?.flushGapMs, 4);
    const named = loadConfig({
      NATS_URL: "nats://127.0.0.1:4222",
      DATABASE_URL: POSTGRES,
      NODE_ID: "gw-1",
    });
    assert.equal(named.cluster?.nodeId, "gw-1");
  });

  test("NATS_URL on the embedded database is refused with one line naming both", () => {
    assert.match(
      configError({ NATS_URL: "nats://127.0.0.1:4222" }),
      /^NATS_URL needs DATABASE_URL/,
    );
  });

  test("a bad NATS_URL, NODE_ID, lease or flush gap names the variable", () => {
    assert.match(configError({ NATS_URL: "http://x", DATABASE_URL: POSTGRES }), /^NATS_URL /);
    assert.match(
      configError({ NATS_URL: "nats://x:4222", DATABASE_URL: POSTGRES, NODE_ID: "a.b" }),
      /^NODE_ID /,
    );
    assert.match(
      configError({
        NATS_URL: "nats://x:4222",
        DATABASE_URL: POSTGRES,
        CLUSTER_HEARTBEAT_MS: "1000",
        CLUSTER_LEASE_MS: "1500",
      }),
      /^CLUSTER_LEASE_MS /,
    );
    assert.match(
      configError({
        NATS_URL: "nats://x:4222",
        DATABASE_URL: POSTGRES,
        CLUSTER_FLUSH_GAP_MS: "-1",
      }),
      /^CLUSTER_FLUSH_GAP_MS /,
    );
  });
});
