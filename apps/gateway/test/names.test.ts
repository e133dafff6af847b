// Display names and group names under the name rule (packages/protocol normalizeName): bidi
// controls that could reorder the text around a name are removed, names that show nothing are
// refused, over the real HTTP API on every database engine.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import { call, newPerson, type Person, RELAXED } from "./social-harness.ts";

const SPOOF = "\u202eevil\u202c";
const INVISIBLE_NAMES = [
  "\u200b",
  "\u200b\u200c\u200d",
  "\u2060\ufeff",
  "\u0301",
  "\u3164",
  " \u200f ",
];

interface ErrorBody {
  error: { code: string; message: string };
}

for (const engine of testEngines()) {
  describe(`names [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const rename = (person: Person, displayName: string) =>
      call<{ user: { displayName: string } } & ErrorBody>(t, person, "PATCH", "/api/me", {
        displayName,
      });

    test("PATCH /api/me removes bidi controls from the display name", async () => {
      const alex = await newPerson(t, "Alex");
      const patched = await rename(alex, `  ${SPOOF} `);
      assert.equal(patched.status, 200);
      assert.equal(patched.body.user.displayName, "evil");
      const me = await call<{ user: { displayName: string } }>(t, alex, "GET", "/api/me");
      assert.equal(me.body.user.displayName, "evil");
      const mixed = await rename(alex, "\u2067سام\u2069 (Sam)\u200e");
      assert.equal(mixed.body.user.displayName, "سام (Sam)");
    });

    test("PATCH /api/me refuses a display name made only of invisible characters", async () => {
      const sam = await newPerson(t, "Sam");
      for (const name of INVISIBLE_NAMES) {
        const refused = await rename(sam, name);
        assert.equal(refused.status, 400, JSON.stringify(name));
        assert.equal(refused.body.error.code, "invalid_request");
        assert.equal(
          refused.body.error.message,
          "displayName: expected at least one visible character",
        );
      }
      const me = await call<{ user: { displayName: string } }>(t, sam, "GET", "/api/me");
      assert.equal(me.body.user.displayName, "Sam", "the name stays as it was");
    });

    test("group names: created and renamed under the same rule", async () => {
      const kim = await newPerson(t, "Kim");
      const created = await call<{ group: { id: string; name: string } }>(
        t,
        kim,
        "POST",
        "/api/groups",
        { name: `The ${SPOOF} couch` },
      );
      assert.equal(created.status, 201);
      assert.equal(created.body.group.name, "The evil couch");
      const id = created.body.group.id;

      const renamed = await call<{ group: { name: string } }>(
        t,
        kim,
        "PATCH",
        `/api/groups/${id}`,
        {
          name: "\u2066Porch\u2069",
        },
      );
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.group.name, "Porch");

      for (const name of INVISIBLE_NAMES) {
        const create = await call<ErrorBody>(t, kim, "POST", "/api/groups", { name });
        assert.equal(create.status, 400, JSON.stringify(name));
        assert.equal(create.body.error.message, "name: expected at least one visible character");
        const rename = await call<ErrorBody>(t, kim, "PATCH", `/api/groups/${id}`, { name });
        assert.equal(rename.status, 400, JSON.stringify(name));
        assert.equal(rename.body.error.message, "name: expected at least one visible character");
      }
      const group = await call<{ group: { name: string } }>(t, kim, "GET", `/api/groups/${id}`);
      assert.equal(group.body.group.name, "Porch");
    });
  });
}
