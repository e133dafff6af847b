// After signing in, a person lands where they were going (an invite, an add-friend link): the
// destination travels in the magic link's fragment and in the OAuth state cookie, and only ever
// as a path of the app's own pages.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { cookieValue, postFromApp, startTestGateway, type TestGateway } from "./harness.ts";
import { callback, startSignIn, useProviderStubs } from "./oauth-harness.ts";

const GOOGLE = {
  REST_REQUESTS_PER_MINUTE: "100000",
  MAGIC_LINKS_PER_15_MIN: "100000",
  GOOGLE_CLIENT_ID: "google-client",
  GOOGLE_CLIENT_SECRET: "google-secret",
};
const INVITE = "/join/7K3M9QXA2B4C";
const FOREIGN = [
  "https://evil.example/join/7K3M9QXA2B4C",
  "//evil.example/join/7K3M9QXA2B4C",
  "/\\evil.example",
  "/api/me",
  "/sign-in",
];

const stubs = useProviderStubs();

for (const engine of testEngines()) {
  describe(`where sign-in lands [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, GOOGLE);
    });
    after(() => t?.close());

    async function mailedLink(email: string, next: unknown): Promise<URL> {
      const response = await postFromApp(t, "/auth/magic-link", { email, next });
      assert.equal(response.status, 202);
      const mail = await t.mailer.next(email);
      return new URL(/https?:\/\/\S+/.exec(mail.text)?.[0] ?? "");
    }

    async function googleSignIn(sub: string, next?: string, plantDestination?: string) {
      const started = await startSignIn(t, "google", next);
      stubs.google({ sub, email: `${sub}@example.test`, email_verified: true, name: sub });
      // A planted cookie: the real state, with a destination the gateway never chose.
      const cookie =
        plantDestination === undefined
          ? started.cookie
          : started.cookie.replace(
              /clofri_oauth_state_google=[^;]*/,
              `clofri_oauth_state_google=${started.state}.${plantDestination}`,
            );
      return callback(t, "google", { code: "c", state: started.state }, cookie);
    }

    test("the magic link carries an app page to continue to, in its fragment", async () => {
      const link = await mailedLink("invited@example.test", INVITE);
      assert.equal(link.pathname, "/sign-in/verify");
      const fragment = new URLSearchParams(link.hash.slice(1));
      assert.match(fragment.get("token") ?? "", /^[\w-]{40,}$/);
      assert.equal(fragment.get("next"), INVITE);
    });

    test("a foreign or odd destination never reaches the magic link", async () => {
      for (const next of FOREIGN) {
        const link = await mailedLink("careful@example.test", next);
        assert.equal(new URLSearchParams(link.hash.slice(1)).get("next"), null, next);
        assert.doesNotMatch(link.href, /evil/, next);
      }
    });

    test("OAuth keeps the destination in the state cookie and redirects there", async () => {
      const done = await googleSignIn("oauth-invited", INVITE);
      assert.equal(done.status, 302);
      assert.ok(done.sessionToken, "signed in");
      assert.equal(done.location, INVITE);
      const plain = await googleSignIn("oauth-plain");
      assert.equal(plain.location, "/");
    });

    test("OAuth refuses a foreign destination, asked for or planted in the cookie", async () => {
      for (const next of FOREIGN) {
        const started = await startSignIn(t, "google", next);
        assert.equal(
          cookieValue(started.cookie, "clofri_oauth_state_google"),
          started.state,
          `nothing but the state is kept for ${next}`,
        );
        const done = await googleSignIn(`oauth-foreign-${FOREIGN.indexOf(next)}`, next);
        assert.equal(done.location, "/", next);
        const planted = await googleSignIn(
          `oauth-planted-${FOREIGN.indexOf(next)}`,
          undefined,
          next,
        );
        assert.ok(planted.sessionToken, `${next}: ${planted.location}`);
        assert.equal(planted.location, "/", `planted ${next}`);
      }
    });
  });
}
