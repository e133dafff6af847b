import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import { call, errorCode, newPerson, type Person, RELAXED } from "./social-harness.ts";

for (const engine of testEngines()) {
  describe(`friend codes [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const ask = (from: Person, code: string) =>
      call(t, from, "POST", "/api/friends/requests", { code });

    test("my friend code and link; rotating it retires the old code", async () => {
      const me = await newPerson(t);
      const asker = await newPerson(t);
      const code = await call<{ code: string; link: string }>(t, me, "GET", "/api/friends/code");
      assert.equal(code.status, 200);
      assert.deepEqual(code.body, { code: me.code, link: `${t.origin}/add/${me.code}` });

      const rotated = await call<{ code: string; link: string }>(
        t,
        me,
        "POST",
        "/api/friends/code/rotate",
      );
      assert.equal(rotated.status, 200);
      assert.match(rotated.body.code, /^[0-9A-HJKMNP-TV-Z]{8}$/);
      assert.notEqual(rotated.body.code, me.code);
      assert.equal(rotated.body.link, `${t.origin}/add/${rotated.body.code}`);
      assert.equal((await ask(asker, me.code)).status, 404);
      assert.equal((await ask(asker, rotated.body.code)).status, 201);
    });

    test("codes are read as people type them; malformed bodies are 400", async () => {
      const [alex, sam] = [await newPerson(t), await newPerson(t)];
      const typed = `${sam.code.slice(0, 4).toLowerCase()}-${sam.code.slice(4)}`;
      assert.equal((await ask(alex, typed)).status, 201);
      for (const body of [{}, { code: 42 }, { code: "!!" }, { code: sam.code, extra: 1 }]) {
        const reply = await call(t, alex, "POST", "/api/friends/requests", body);
        assert.equal(reply.status, 400, JSON.stringify(body));
      }
      const badId = await call(t, alex, "POST", "/api/friends/requests/not-a-uuid/accept");
      assert.equal(badId.status, 400);
    });

    test("lookups by code are limited per user, and misses lock the guesser out", async () => {
      const [guesser, target, other] = [await newPerson(t), await newPerson(t), await newPerson(t)];
      // Ten misses are allowed; the eleventh locks the guesser out, even for a right code.
      for (let i = 0; i < 11; i++) {
        const miss = await ask(guesser, `ZZZZ${String(i).padStart(4, "0")}`);
        assert.equal(miss.status, 404, `miss ${i}`);
      }
      const locked = await ask(guesser, target.code);
      assert.equal(locked.status, 429);
      assert.equal(errorCode(locked.body), "rate_limited");
      assert.ok(Number(locked.headers.get("retry-after")) > 0);
      t.clock.nowMs += 60 * 60 * 1000;
      assert.equal((await ask(guesser, target.code)).status, 201);

      // Twenty lookups per ten minutes, hits included.
      const busy = await newPerson(t);
      const people = [other];
      for (let i = 0; i < 19; i++) people.push(await newPerson(t));
      for (const person of people) assert.equal((await ask(busy, person.code)).status, 201);
      const over = await ask(busy, (await newPerson(t)).code);
      assert.equal(over.status, 429);
      t.clock.nowMs += 10 * 60 * 1000;
      assert.equal((await ask(busy, (await newPerson(t)).code)).status, 201);
      // Leave the per-IP miss budget full for the other tests.
      t.clock.nowMs += 60 * 60 * 1000;
    });
  });
}
