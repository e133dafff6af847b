import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { cookieValue, startTestGateway, type TestGateway } from "./harness.ts";
import {
  assertStateCookiesCleared,
  callback,
  JSON_HEADERS,
  magicLinkUser,
  me,
  sessionCount,
  startSignIn,
  useProviderStubs,
} from "./oauth-harness.ts";

const RELAXED = { REST_REQUESTS_PER_MINUTE: "100000", MAGIC_LINKS_PER_15_MIN: "100000" };
const GOOGLE_AND_DISCORD = {
  ...RELAXED,
  GOOGLE_CLIENT_ID: "google-client",
  GOOGLE_CLIENT_SECRET: "google-secret",
  DISCORD_CLIENT_ID: "discord-client",
  DISCORD_CLIENT_SECRET: "discord-secret",
};
const GITHUB_ONLY_OVER_HTTPS = {
  ...RELAXED,
  APP_ORIGIN: "https://chat.example.test",
  GITHUB_CLIENT_ID: "github-client",
  GITHUB_CLIENT_SECRET: "github-secret",
};

const stubs = useProviderStubs();

for (const engine of testEngines()) {
  describe(`OAuth sign-in [${engine.name}]`, () => {
    let t: TestGateway;
    let gh: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, GOOGLE_AND_DISCORD);
      gh = await startTestGateway(engine, GITHUB_ONLY_OVER_HTTPS);
    });
    after(async () => {
      await t?.close();
      await gh?.close();
    });

    test("/auth/providers lists exactly the configured providers", async () => {
      const listed = async (gateway: TestGateway) =>
        ((await (await fetch(`${gateway.base}/auth/providers`)).json()) as { providers: string[] })
          .providers;
      assert.deepEqual(await listed(t), ["google", "discord"]);
      assert.deepEqual(await listed(gh), ["github"]);
    });

    test("a disabled or unknown provider is 404 not_found, on sign-in and on callback", async () => {
      for (const path of [
        "/auth/github",
        "/auth/github/callback?code=x&state=y",
        "/auth/myspace",
      ]) {
        const response = await fetch(`${t.base}${path}`, { redirect: "manual" });
        assert.equal(response.status, 404, path);
        const body = (await response.json()) as { error: { code: string } };
        assert.equal(body.error.code, "not_found");
      }
      assert.equal((await fetch(`${gh.base}/auth/google`, { redirect: "manual" })).status, 404);
    });

    test("Google: the redirect carries client_id, redirect_uri, state and an S256 code challenge", async () => {
      const { location, cookie } = await startSignIn(t, "google");
      assert.equal(location.origin, "https://accounts.google.com");
      assert.equal(location.pathname, "/o/oauth2/v2/auth");
      const params = location.searchParams;
      assert.equal(params.get("response_type"), "code");
      assert.equal(params.get("client_id"), "google-client");
      assert.equal(params.get("redirect_uri"), `${t.origin}/auth/google/callback`);
      assert.deepEqual(params.get("scope")?.split(" ").sort(), ["email", "openid", "profile"]);
      assert.equal(params.get("code_challenge_method"), "S256");
      const state = cookieValue(cookie, "clofri_oauth_state_google");
      const verifier = cookieValue(cookie, "clofri_oauth_verifier_google") ?? "";
      assert.equal(params.get("state"), state);
      assert.ok((state?.length ?? 0) >= 43, "the state carries 256 bits");
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      assert.equal(params.get("code_challenge"), challenge);
    });

    test("state cookies: HttpOnly, SameSite=Lax, Path=/auth, 10 minutes; Secure only over https", async () => {
      const google = await startSignIn(t, "google");
      assert.equal(google.setCookies.length, 2);
      for (const setCookie of google.setCookies) {
        const attributes = setCookie.split(";").map((part) => part.trim());
        for (const expected of ["HttpOnly", "SameSite=Lax", "Path=/auth", "Max-Age=600"]) {
          assert.ok(attributes.includes(expected), `${setCookie} has ${expected}`);
        }
        assert.ok(!attributes.includes("Secure"));
      }
      const github = await startSignIn(gh, "github");
      assert.equal(github.location.origin, "https://github.com");
      assert.equal(github.location.searchParams.get("client_id"), "github-client");
      assert.equal(
        github.location.searchParams.get("redirect_uri"),
        "https://chat.example.test/auth/github/callback",
      );
      assert.equal(github.setCookies.length, 1, "GitHub's arctic client takes no PKCE verifier");
      assert.ok(github.setCookies[0]?.split("; ").includes("Secure"));
    });

    test("success creates the user and a session; the PKCE verifier reaches the token endpoint", async () => {
      const started = await startSignIn(t, "google");
      const tokenRequest = stubs.google({
        sub: "google-1",
        email: "ada@example.test",
        email_verified: true,
        name: "Ada Lovelace",
        picture: "https://lh3.example.test/ada.png",
      });
      const done = await callback(
        t,
        "google",
        { code: "auth-code-1", state: started.state },
        started.cookie,
      );
      assert.equal(done.status, 302);
      assert.equal(done.location, "/");
      assert.ok(done.sessionToken, "a session cookie is set");
      assertStateCookiesCleared(done.setCookies, "google");

      const form = await tokenRequest;
      assert.equal(form.get("code"), "auth-code-1");
      assert.equal(
        form.get("code_verifier"),
        cookieValue(started.cookie, "clofri_oauth_verifier_google"),
      );
      assert.equal(form.get("redirect_uri"), `${t.origin}/auth/google/callback`);

      const user = await me(t, done.sessionToken);
      assert.equal(user.email, "ada@example.test");
      assert.equal(user.displayName, "Ada Lovelace");
      assert.equal(user.avatarUrl, "https://lh3.example.test/ada.png");

      const again = await startSignIn(t, "google");
      stubs.google({ sub: "google-1", email: "ada.new@example.test", email_verified: true });
      const second = await callback(
        t,
        "google",
        { code: "auth-code-2", state: again.state },
        again.cookie,
      );
      assert.equal(second.location, "/");
      assert.ok(second.sessionToken);
      assert.notEqual(second.sessionToken, done.sessionToken);
      const sameUser = await me(t, second.sessionToken);
      assert.equal(sameUser.id, user.id, "the second sign-in finds the same user");
      assert.equal(sameUser.email, "ada@example.test");
    });

    test("a provider's name loses its bidi controls; one that shows nothing gives way to the email", async () => {
      const names = [
        {
          sub: "google-spoof",
          name: "\u202eevil\u202c",
          email: "spoof@example.test",
          expected: "evil",
        },
        {
          sub: "google-blank",
          name: "\u200b\u200d",
          email: "blank.one@example.test",
          expected: "blank.one",
        },
      ];
      for (const { sub, name, email, expected } of names) {
        const started = await startSignIn(t, "google");
        stubs.google({ sub, email, email_verified: true, name });
        const done = await callback(
          t,
          "google",
          { code: "c", state: started.state },
          started.cookie,
        );
        assert.ok(done.sessionToken, email);
        assert.equal((await me(t, done.sessionToken)).displayName, expected);
      }
    });

    test("a wrong state, a missing state cookie or a provider error creates no session", async () => {
      const sessionsBefore = await sessionCount(t);
      const started = await startSignIn(t, "google");
      const wrong = await callback(
        t,
        "google",
        { code: "c", state: `${started.state}x` },
        started.cookie,
      );
      assert.equal(wrong.location, "/sign-in?error=invalid_state");
      assert.equal(wrong.sessionToken, undefined);
      assertStateCookiesCleared(wrong.setCookies, "google");

      const noCookie = await callback(t, "google", { code: "c", state: started.state });
      assert.equal(noCookie.location, "/sign-in?error=invalid_state");
      assert.equal(noCookie.sessionToken, undefined);

      const denied = await callback(
        t,
        "google",
        { error: "access_denied", state: started.state },
        started.cookie,
      );
      assert.equal(denied.status, 302);
      assert.equal(denied.location, "/sign-in?error=access_denied");
      assert.equal(denied.sessionToken, undefined);
      assertStateCookiesCleared(denied.setCookies, "google");

      assert.equal(await sessionCount(t), sessionsBefore);
      assert.deepEqual(stubs.agent.pendingInterceptors(), [], "no provider was called");
    });

    test("a failed code exchange creates no session", async () => {
      const sessionsBefore = await sessionCount(t);
      const started = await startSignIn(t, "google");
      stubs.agent
        .get("https://oauth2.googleapis.com")
        .intercept({ path: "/token", method: "POST" })
        .reply(400, { error: "invalid_grant", error_description: "Bad Request" }, JSON_HEADERS);
      const failed = await callback(
        t,
        "google",
        { code: "stale", state: started.state },
        started.cookie,
      );
      assert.equal(failed.location, "/sign-in?error=exchange_failed");
      assert.equal(failed.sessionToken, undefined);
      assertStateCookiesCleared(failed.setCookies, "google");
      assert.equal(await sessionCount(t), sessionsBefore);
    });

    test("a verified email links to the existing magic-link account", async () => {
      const userId = await magicLinkUser(t, "grace@example.test");
      const started = await startSignIn(t, "google");
      stubs.google({
        sub: "google-grace",
        email: "Grace@Example.test",
        email_verified: true,
        name: "Grace Hopper",
        picture: "https://lh3.example.test/grace.png",
      });
      const done = await callback(t, "google", { code: "c", state: started.state }, started.cookie);
      assert.equal(done.location, "/");
      assert.ok(done.sessionToken);
      const user = await me(t, done.sessionToken);
      assert.equal(user.id, userId);
      assert.equal(user.displayName, "grace", "the name the user already has is kept");
      assert.equal(user.avatarUrl, "https://lh3.example.test/grace.png", "the picture fills a gap");
    });

    test("an unverified email neither links to an account nor creates one", async () => {
      const userId = await magicLinkUser(t, "linus@example.test");
      const sessionsBefore = await sessionCount(t);
      const attempts = [
        { id: "9001", email: "linus@example.test" },
        { id: "9002", email: "unused@example.test" },
      ];
      for (const { id, email } of attempts) {
        const started = await startSignIn(t, "discord");
        stubs.discord({
          id,
          username: "linus",
          global_name: null,
          avatar: null,
          email,
          verified: false,
        });
        const refused = await callback(
          t,
          "discord",
          { code: "c", state: started.state },
          started.cookie,
        );
        assert.equal(refused.location, "/sign-in?error=email_unverified");
        assert.equal(refused.sessionToken, undefined);
      }
      assert.equal(await sessionCount(t), sessionsBefore);
      const unused = await t.database.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "unused@example.test")
        .execute();
      assert.deepEqual(unused, []);

      const started = await startSignIn(t, "discord");
      stubs.discord({
        id: "9001",
        username: "linus",
        global_name: "Linus",
        avatar: "a1b2c3",
        email: "linus@example.test",
        verified: true,
      });
      const done = await callback(
        t,
        "discord",
        { code: "c", state: started.state },
        started.cookie,
      );
      assert.ok(done.sessionToken, "once Discord verified the address, it links");
      const user = await me(t, done.sessionToken);
      assert.equal(user.id, userId);
      assert.equal(user.avatarUrl, "https://cdn.discordapp.com/avatars/9001/a1b2c3.png");
    });

    test("Discord: a new user gets the global name and the avatar built from its hash", async () => {
      const started = await startSignIn(t, "discord");
      assert.equal(started.location.origin, "https://discord.com");
      assert.equal(started.location.searchParams.get("code_challenge_method"), "S256");
      stubs.discord({
        id: "80351110224678912",
        username: "nelly",
        global_name: "Nelly",
        avatar: "8342729096ea3675442027381ff50dfe",
        email: "nelly@example.test",
        verified: true,
      });
      const done = await callback(
        t,
        "discord",
        { code: "c", state: started.state },
        started.cookie,
      );
      assert.ok(done.sessionToken);
      const user = await me(t, done.sessionToken);
      assert.equal(user.displayName, "Nelly");
      assert.equal(
        user.avatarUrl,
        "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png",
      );
    });

    test("GitHub: the primary verified email signs in; without one, sign-in is refused", async () => {
      const started = await startSignIn(gh, "github");
      stubs.github(
        { id: 583231, login: "octocat", name: null, avatar_url: "https://avatars.example.test/1" },
        [
          { email: "old@example.test", primary: false, verified: true },
          { email: "octo@example.test", primary: true, verified: true },
        ],
      );
      const done = await callback(
        gh,
        "github",
        { code: "c", state: started.state },
        started.cookie,
      );
      assert.equal(done.location, "/");
      assert.ok(done.sessionToken);
      assert.ok(
        done.setCookies.find((each) => each.startsWith("clofri_session="))?.includes("Secure"),
        "the session cookie is Secure over https",
      );
      const user = await me(gh, done.sessionToken);
      assert.equal(user.email, "octo@example.test");
      assert.equal(user.displayName, "octocat", "the login stands in for a missing name");
      assert.equal(user.avatarUrl, "https://avatars.example.test/1");

      const next = await startSignIn(gh, "github");
      stubs.github({ id: 583232, login: "hubot", name: "Hubot", avatar_url: null }, [
        { email: "hubot@example.test", primary: true, verified: false },
      ]);
      const refused = await callback(gh, "github", { code: "c", state: next.state }, next.cookie);
      assert.equal(refused.location, "/sign-in?error=email_unverified");
      assert.equal(refused.sessionToken, undefined);
    });
  });
}
