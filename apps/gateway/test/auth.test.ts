import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import {
  cookieValue,
  postFromApp,
  requestMagicLink,
  startTestGateway,
  type TestGateway,
  tokenFromMail,
} from "./harness.ts";

const RELAXED = { REST_REQUESTS_PER_MINUTE: "100000", MAGIC_LINKS_PER_15_MIN: "100000" };

for (const engine of testEngines()) {
  describe(`sign-in and sessions [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      postFromApp(t, path, body, headers);
    const requestLink = (email: string) => requestMagicLink(t, email);

    async function signIn(email: string) {
      const response = await post("/auth/magic-link/verify", { token: await requestLink(email) });
      assert.equal(response.status, 200);
      const setCookie = response.headers.get("set-cookie");
      const token = cookieValue(setCookie, "clofri_session");
      assert.ok(token, "a session cookie is set");
      const body = (await response.json()) as { user: { id: string; displayName: string } };
      return { token, setCookie: setCookie ?? "", user: body.user };
    }

    test("the answer to a magic-link request is the same for known and unknown emails", async () => {
      await signIn("known@example.test");
      const known = await post("/auth/magic-link", { email: "known@example.test" });
      const unknown = await post("/auth/magic-link", { email: "nobody-yet@example.test" });
      assert.equal(known.status, unknown.status);
      assert.equal(known.status, 202);
      assert.deepEqual(await known.json(), await unknown.json());
      assert.equal(known.headers.get("content-length"), unknown.headers.get("content-length"));
    });

    test("the first sign-in creates the user, named after the email's local part", async () => {
      const { user } = await signIn("Alex.Doe@Example.test");
      assert.equal(user.displayName, "Alex.Doe");
      const again = await signIn("alex.doe@example.test");
      assert.equal(again.user.id, user.id, "the same account, whatever the case of the email");
    });

    test("the session cookie is HttpOnly, SameSite=Lax, Path=/, 30 days, and not Secure on http", async () => {
      const { setCookie } = await signIn("cookie@example.test");
      const attributes = setCookie.split(";").map((part) => part.trim());
      assert.ok(attributes.includes("HttpOnly"));
      assert.ok(attributes.includes("SameSite=Lax"));
      assert.ok(attributes.includes("Path=/"));
      assert.ok(attributes.includes("Max-Age=2592000"));
      assert.ok(!attributes.includes("Secure"));
    });

    test("a session works as a cookie and as a Bearer token; each sign-in is a new session", async () => {
      const first = await signIn("bearer@example.test");
      const second = await signIn("bearer@example.test");
      assert.notEqual(first.token, second.token);
      const viaCookie = await fetch(`${t.base}/api/me`, {
        headers: { cookie: `clofri_session=${first.token}` },
      });
      assert.equal(viaCookie.status, 200);
      const me = (await viaCookie.json()) as { user: { email: string; friendCode: string } };
      assert.equal(me.user.email, "bearer@example.test");
      assert.match(me.user.friendCode, /^[0-9A-HJKMNP-TV-Z]{8}$/);
      const viaBearer = await fetch(`${t.base}/api/me`, {
        headers: { authorization: `Bearer ${second.token}` },
      });
      assert.equal(viaBearer.status, 200);
      assert.equal((await fetch(`${t.base}/api/me`)).status, 401);
      const forged = await fetch(`${t.base}/api/me`, {
        headers: { authorization: "Bearer not-a-session" },
      });
      assert.equal(forged.status, 401);
    });

    test("a session in daily use slides: the server renews it and re-sends the cookie", async () => {
      const { token } = await signIn("daily@example.test");
      const headers = { cookie: `clofri_session=${token}` };
      const fresh = await fetch(`${t.base}/api/me`, { headers });
      assert.equal(fresh.status, 200);
      assert.equal(fresh.headers.get("set-cookie"), null, "nothing to renew on the first day");
      t.clock.nowMs += 2 * 24 * 60 * 60 * 1000;
      const later = await fetch(`${t.base}/api/me`, { headers });
      assert.equal(later.status, 200);
      const renewed = later.headers.get("set-cookie") ?? "";
      assert.equal(cookieValue(renewed, "clofri_session"), token, "the same session");
      assert.match(renewed, /Max-Age=2592000/);
      t.clock.nowMs += 29 * 24 * 60 * 60 * 1000;
      assert.equal(
        (await fetch(`${t.base}/api/me`, { headers })).status,
        200,
        "31 days after sign-in",
      );
    });

    test("a used link is rejected; an expired link is rejected", async () => {
      const token = await requestLink("once@example.test");
      assert.equal((await post("/auth/magic-link/verify", { token })).status, 200);
      const reused = await post("/auth/magic-link/verify", { token });
      assert.equal(reused.status, 410);
      assert.deepEqual(await reused.json(), {
        error: { code: "gone", message: "this sign-in link has expired or was already used" },
      });

      const late = await requestLink("late@example.test");
      t.clock.nowMs += 15 * 60 * 1000 + 1;
      assert.equal((await post("/auth/magic-link/verify", { token: late })).status, 410);
    });

    test("100 parallel redemptions of one link make exactly one session", async () => {
      const token = await requestLink("race@example.test");
      const responses = await Promise.all(
        Array.from({ length: 100 }, () => post("/auth/magic-link/verify", { token })),
      );
      const statuses = responses.map((response) => response.status);
      assert.equal(statuses.filter((status) => status === 200).length, 1);
      assert.equal(statuses.filter((status) => status === 410).length, 99);
      const sessions = await t.database.db
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .where("users.email", "=", "race@example.test")
        .select("sessions.id")
        .execute();
      assert.equal(sessions.length, 1);
    });

    test("only the token's hash is stored", async () => {
      const { token, user } = await signIn("hash@example.test");
      const rows = await t.database.db
        .selectFrom("sessions")
        .select("id")
        .where("user_id", "=", user.id)
        .execute();
      assert.equal(rows.length, 1);
      assert.notEqual(rows[0]?.id, token);
      assert.match(rows[0]?.id ?? "", /^[0-9a-f]{64}$/);
      const links = await t.database.db.selectFrom("magic_links").select("token_hash").execute();
      assert.ok(links.every((link) => /^[0-9a-f]{64}$/.test(link.token_hash)));
    });

    test("a cookie-authenticated change needs the app's Origin; a Bearer one does not", async () => {
      const { token } = await signIn("csrf@example.test");
      const patch = (headers: Record<string, string>) =>
        fetch(`${t.base}/api/me`, {
          method: "PATCH",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ displayName: "Changed" }),
        });
      const crossSite = await patch({
        cookie: `clofri_session=${token}`,
        origin: "https://evil.example",
      });
      assert.equal(crossSite.status, 403);
      assert.equal(
        ((await crossSite.json()) as { error: { code: string } }).error.code,
        "forbidden",
      );
      assert.equal((await patch({ cookie: `clofri_session=${token}` })).status, 403);
      assert.equal(
        (await patch({ cookie: `clofri_session=${token}`, origin: t.origin })).status,
        200,
      );
      assert.equal((await patch({ authorization: `Bearer ${token}` })).status, 200);
      const signInFromElsewhere = await post(
        "/auth/magic-link",
        { email: "x@example.test" },
        { origin: "https://evil.example" },
      );
      assert.equal(signInFromElsewhere.status, 403);
    });

    test("the profile is validated: name length, https avatar or none", async () => {
      const { token } = await signIn("profile@example.test");
      const patch = (body: unknown) =>
        fetch(`${t.base}/api/me`, {
          method: "PATCH",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      const ok = await patch({ displayName: "  Sam  ", avatarUrl: "https://example.test/a.png" });
      assert.equal(ok.status, 200);
      const { user } = (await ok.json()) as { user: { displayName: string; avatarUrl: string } };
      assert.equal(user.displayName, "Sam");
      assert.equal(user.avatarUrl, "https://example.test/a.png");
      for (const bad of [
        { displayName: "" },
        { displayName: "x".repeat(65) },
        { avatarUrl: "http://example.test/a.png" },
        { avatarUrl: "javascript:alert(1)" },
        { email: "new@example.test" },
      ]) {
        const response = await patch(bad);
        assert.equal(response.status, 400, JSON.stringify(bad));
        assert.equal(
          ((await response.json()) as { error: { code: string } }).error.code,
          "invalid_request",
        );
      }
      assert.equal((await patch({ avatarUrl: null })).status, 200);
    });

    test("logout ends the session server-side at once, even though it was cached", async () => {
      const { token } = await signIn("logout@example.test");
      const headers = { cookie: `clofri_session=${token}`, origin: t.origin };
      assert.equal((await fetch(`${t.base}/api/me`, { headers })).status, 200);
      const logout = await fetch(`${t.base}/auth/logout`, { method: "POST", headers });
      assert.equal(logout.status, 204);
      assert.match(logout.headers.get("set-cookie") ?? "", /clofri_session=; Path=\/; Max-Age=0/);
      assert.equal((await fetch(`${t.base}/api/me`, { headers })).status, 401);
    });

    test("a revoked session is rejected at once", async () => {
      const { token, user } = await signIn("revoked@example.test");
      const headers = { authorization: `Bearer ${token}` };
      assert.equal((await fetch(`${t.base}/api/me`, { headers })).status, 200);
      await t.gateway.context.sessions.revokeAllForUser(user.id);
      assert.equal((await fetch(`${t.base}/api/me`, { headers })).status, 401);
    });

    test("malformed sign-in requests get a 400 naming the problem", async () => {
      const notJson = await fetch(`${t.base}/auth/magic-link`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{email",
      });
      assert.equal(notJson.status, 400);
      const badEmail = await post("/auth/magic-link", { email: "not-an-email" });
      assert.equal(badEmail.status, 400);
      assert.deepEqual(await badEmail.json(), {
        error: { code: "invalid_request", message: "email: expected a valid email address" },
      });
      const tooBig = await post("/auth/magic-link", {
        email: `${"x".repeat(70_000)}@example.test`,
      });
      assert.equal(tooBig.status, 413);
    });

    test("providers: only magic links when no OAuth credentials are set", async () => {
      const response = await fetch(`${t.base}/auth/providers`);
      assert.deepEqual(await response.json(), {
        providers: [],
        magicLink: true,
        magicLinkDelivery: "log",
      });
    });
  });

  describe(`limits [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine);
    });
    after(() => t.close());

    test("magic links: the 6th request for one email in 15 minutes is refused", async () => {
      const request = () =>
        fetch(`${t.base}/auth/magic-link`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "limited@example.test" }),
        });
      for (let i = 0; i < 5; i++) assert.equal((await request()).status, 202);
      const refused = await request();
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get("retry-after"), "180");
      assert.equal(t.mailer.sent.length, 5);
      t.clock.nowMs += 3 * 60 * 1000;
      assert.equal((await request()).status, 202);
    });

    test("REST: the 101st request in a minute from one address gets 429 with Retry-After", async () => {
      t.clock.nowMs += 60 * 60 * 1000;
      // Six requests were spent above; the budget is per minute, so move past it first.
      const statuses: number[] = [];
      for (let i = 0; i < 101; i++) statuses.push((await fetch(`${t.base}/api/me`)).status);
      assert.deepEqual(new Set(statuses.slice(0, 100)), new Set([401]));
      assert.equal(statuses[100], 429);
      const response = await fetch(`${t.base}/api/me`);
      assert.equal(response.headers.get("retry-after"), "1");
      assert.equal(
        (await fetch(`${t.base}/health`)).status,
        200,
        "operators' probes are not limited",
      );
    });
  });

  describe(`secure cookies [${engine.name}]`, () => {
    test("with an https APP_ORIGIN the session cookie is Secure", async () => {
      const t = await startTestGateway(engine, { APP_ORIGIN: "https://chat.example.test" });
      try {
        await fetch(`${t.base}/auth/magic-link`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: "https://chat.example.test" },
          body: JSON.stringify({ email: "secure@example.test" }),
        });
        const mail = await t.mailer.next("secure@example.test");
        assert.match(mail.text, /^https:\/\/chat\.example\.test\/sign-in\/verify#token=/m);
        const response = await fetch(`${t.base}/auth/magic-link/verify`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: "https://chat.example.test" },
          body: JSON.stringify({ token: tokenFromMail(mail) }),
        });
        assert.equal(response.status, 200);
        assert.match(response.headers.get("set-cookie") ?? "", /; Secure$/);
      } finally {
        await t.close();
      }
    });
  });
}
