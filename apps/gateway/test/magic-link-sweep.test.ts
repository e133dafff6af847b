import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import {
  createMagicLink,
  MAGIC_LINK_SWEEP_EVERY_MS,
  MAGIC_LINK_TTL_MS,
} from "../src/auth/magic-links.ts";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";

const [engine] = testEngines();

describe(`expired sign-in links are swept [${engine?.name}]`, () => {
  let t: TestGateway;
  let clock: ManualClock;
  beforeEach(async () => {
    if (!engine) throw new Error("expected a test engine");
    clock = new ManualClock(1_000_000);
    t = await startTestGateway(engine, {}, { clock });
  });
  afterEach(() => t.close());

  const linkEmails = async () =>
    (await t.database.db.selectFrom("magic_links").select("email").orderBy("email").execute()).map(
      (row) => row.email,
    );

  /** Waits for the sweep the clock set off to reach the database (a query, not a timer). */
  async function waitForLinks(expected: string[]): Promise<void> {
    const deadline = performance.now() + 5_000;
    let seen = await linkEmails();
    while (JSON.stringify(seen) !== JSON.stringify(expected)) {
      if (performance.now() > deadline) {
        throw new Error(`expected links of ${expected}, still ${seen} after 5 s`);
      }
      await new Promise((resolve) => setImmediate(resolve));
      seen = await linkEmails();
    }
  }

  test("links past their lifetime are deleted on the sweep's schedule; live ones stay", async () => {
    const db = t.database.db;
    await createMagicLink(db, "old@example.com", t.clock.nowMs);
    t.clock.nowMs += MAGIC_LINK_TTL_MS - 60_000;
    await createMagicLink(db, "new@example.com", t.clock.nowMs);
    t.clock.nowMs += 60_000;

    await clock.advance(MAGIC_LINK_SWEEP_EVERY_MS - 1);
    assert.deepEqual(await linkEmails(), ["new@example.com", "old@example.com"], "not yet");
    await clock.advance(1);
    await waitForLinks(["new@example.com"]);

    t.clock.nowMs += MAGIC_LINK_TTL_MS;
    await clock.advance(MAGIC_LINK_SWEEP_EVERY_MS);
    await waitForLinks([]);
  });

  test("shutdown stops the sweep", async () => {
    await t.gateway.shutdown();
    await createMagicLink(t.database.db, "late@example.com", t.clock.nowMs);
    t.clock.nowMs += MAGIC_LINK_TTL_MS;
    await clock.advance(3 * MAGIC_LINK_SWEEP_EVERY_MS);
    // A sweep would have started within the advance; let any query it made finish first.
    await t.database.db.selectFrom("magic_links").select("email").execute();
    assert.deepEqual(await linkEmails(), ["late@example.com"]);
  });
});
