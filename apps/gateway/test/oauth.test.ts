import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { type Dispatcher, getGlobalDispatcher, MockAgent, setGlobalDispatcher } from "undici";
import { testEngines } from "../src/db/test-engines.ts";
import { cookieValue, startTestGateway, type TestGateway, tokenFromMail } from "./harness.ts";

// Only the providers' HTTP endpoints are stubbed: the gateway, arctic and the database are real.
// Loopback stays open so the test's own requests reach the gateway through the same dispatcher.

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

let mockAgent: MockAgent;
let previousDispatcher: Dispatcher;
before(() => {
  previousDispatcher = getGlobalDispatcher();
  mockAgent = new MockAgent();
  mockAgent.enableNetConnect(/^127\.0\.0\.1:\d+$/);
  setGlobalDispatcher(mockAgent);
});
after(async () => {
  setGlobalDispatcher(previousDispatcher);
  await mockAgent.close();
});

/** An ID token as Google's token endpoint returns it (the gateway does not check the signature). */
function idToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

function formBody(body: unknown): URLSearchParams {
  if (typeof body === "string") return new URLSearchParams(body);
  if (body instanceof Uint8Array) return new URLSearchParams(Buffer.from(body).toString());
  throw new Error(`unexpected token request body: ${String(body)}`);
}

const JSON_HEADERS = { headers: { "content-type": "application/json" } };

/** Google answers one code exchange with these ID-token claims; resolves with the form it got. */
function googleAnswers(claims: Record<string, unknown>): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    mockAgent
      .get("https://oauth2.googleapis.com")
      .intercept({ path: "/token", method: "POST" })
      .reply(
        200,
        (options) => {
          resolve(formBody(options.body));
          const token = idToken({
            iss: "https://accounts.google.com",
            aud: "google-client",
            ...claims,
          });
          return {
            access_token: "g-access",
            token_type: "Bearer",
            expires_in: 3599,
            id_token: token,
          };
        },
        JSON_HEADERS,
      );
  });
}

function discordAnswers(user: Record<string, unknown>): void {
  const discord = mockAgent.get("https://discord.com");
  discord
    .intercept({ path: "/api/oauth2/token", method: "POST" })
    .reply(
      200,
      { access_token: "d-access", token_type: "Bearer", expires_in: 604800 },
      JSON_HEADERS,
    );
  discord
    .intercept({
      path: "/api/users/@me",
      method: "GET",
      headers: { authorization: "Bearer d-access" },
    })
    .reply(200, user, JSON_HEADERS);
}

function githubAnswers(user: Record<string, unknown>, emails: Array<Record<string, unknown>>) {
  mockAgent
    .get("https://github.com")
    .intercept({ path: "/login/oauth/access_token", method: "POST" })
    .reply(
      200,
      { access_token: "gh-access", token_type: "bearer", scope: "read:user" },
      JSON_HEADERS,
    );
  const api = mockAgent.get("https://api.github.com");
  const headers = { authorization: "Bearer gh-access" };
  api.intercept({ path: "/user", method: "GET", headers }).reply(200, user, JSON_HEADERS);
  api.intercept({ path: "/user/emails", method: "GET", headers }).reply(200, emails, JSON_HEADERS);
}

interface Started {
  location: URL;
  setCookies: string[];
  /** The state cookies as the browser sends them back. */
  cookie: string;
  state: string;
}

async function startSignIn(t: TestGateway, provider: string): Promise<Started> {
  const response = await fetch(`${t.base}/auth/${provider}`, { redirect: "manual" });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get("location") ?? "");
  const setCookies = response.headers.getSetCookie();
  const cookie = setCookies.map((each) => each.split(";")[0]).join("; ");
  return { location, setCookies, cookie, state: location.searchParams.get("state") ?? "" };
}

async function callback(
  t: TestGateway,
  provider: string,
  query: Record<string, string>,
  cookie?: string,
) {
  const response = await fetch(
    `${t.base}/auth/${provider}/callback?${new URLSearchParams(query)}`,
    { redirect: "manual", headers: cookie ? { cookie } : {} },
  );
  const setCookies = response.headers.getSetCookie();
  const sessionCookie = setCookies.find((each) => each.startsWith("clofri_session="));
  return {
    status: response.status,
    location: response.headers.get("location"),
    setCookies,
    sessionToken: cookieValue(sessionCookie ?? null, "clofri_session"),
  };
}

async function me(t: TestGateway, token: string) {
  const response = await fetch(`${t.base}/api/me`, {
    headers: { cookie: `clofri_session=${token}` },
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    user: { id: string; email: string; displayName: string; avatarUrl: string | null };
  };
  return body.user;
}

async function sessionCount(t: TestGateway): Promise<number> {
  const rows = await t.database.db.selectFrom("sessions").select("id").execute();
  return rows.length;
}

async function magicLinkUser(t: TestGateway, email: string): Promise<string> {
  const post = (path: string, body: unknown) =>
    fetch(`${t.base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: t.origin },
      body: JSON.stringify(body),
    });
  assert.equal((await post("/auth/magic-link", { email })).status, 202);
  const token = tokenFromMail(await t.mailer.next(email));
  const verified = await post("/auth/magic-link/verify", { token });
  assert.equal(verified.status, 200);
  return ((await verified.json()) as { user: { id: string } }).user.id;
}

function assertStateCookiesCleared(setCookies: string[], provider: string): void {
  for (const name of [`clofri_oauth_state_${provider}`, `clofri_oauth_verifier_${provider}`]) {
    const cleared = setCookies.find((each) => each.startsWith(`${name}=;`));
    assert.ok(cleared, `${name} is cleared`);
    assert.match(cleared, /Path=\/auth; Max-Age=0/);
  }
}

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
      const tokenRequest = googleAnswers({
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
      googleAnswers({ sub: "google-1", email: "ada.new@example.test", email_verified: true });
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
      assert.deepEqual(mockAgent.pendingInterceptors(), [], "no provider was called");
    });

    test("a failed code exchange creates no session", async () => {
      const sessionsBefore = await sessionCount(t);
      const started = await startSignIn(t, "google");
      mockAgent
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
      googleAnswers({
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
        discordAnswers({
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
      discordAnswers({
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
      discordAnswers({
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
      githubAnswers(
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
      githubAnswers({ id: 583232, login: "hubot", name: "Hubot", avatar_url: null }, [
        { email: "hubot@example.test", primary: true, verified: false },
      ]);
      const refused = await callback(gh, "github", { code: "c", state: next.state }, next.cookie);
      assert.equal(refused.location, "/sign-in?error=email_unverified");
      assert.equal(refused.sessionToken, undefined);
    });
  });
}
