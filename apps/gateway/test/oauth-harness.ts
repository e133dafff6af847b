import assert from "node:assert/strict";
import { after, before } from "node:test";
import { type Dispatcher, getGlobalDispatcher, MockAgent, setGlobalDispatcher } from "undici";
import { cookieValue, postFromApp, requestMagicLink, type TestGateway } from "./harness.ts";

// OAuth tests stub only the providers' HTTP endpoints: the gateway, arctic and the database are
// real. Loopback stays open so the test's own requests reach the gateway through the same
// dispatcher.

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

export const JSON_HEADERS = { headers: { "content-type": "application/json" } };

/** The providers' endpoints, each answering one sign-in as a test scripts it. */
export class ProviderStubs {
  readonly agent = new MockAgent();
  #previous: Dispatcher | undefined;

  install(): void {
    this.#previous = getGlobalDispatcher();
    this.agent.enableNetConnect(/^127\.0\.0\.1:\d+$/);
    setGlobalDispatcher(this.agent);
  }

  async uninstall(): Promise<void> {
    if (this.#previous) setGlobalDispatcher(this.#previous);
    await this.agent.close();
  }

  /** Google answers one code exchange with these ID-token claims; resolves with the form it got. */
  google(claims: Record<string, unknown>): Promise<URLSearchParams> {
    return new Promise((resolve) => {
      this.agent
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

  discord(user: Record<string, unknown>): void {
    const discord = this.agent.get("https://discord.com");
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

  github(user: Record<string, unknown>, emails: Array<Record<string, unknown>>): void {
    this.agent
      .get("https://github.com")
      .intercept({ path: "/login/oauth/access_token", method: "POST" })
      .reply(
        200,
        { access_token: "gh-access", token_type: "bearer", scope: "read:user" },
        JSON_HEADERS,
      );
    const api = this.agent.get("https://api.github.com");
    const headers = { authorization: "Bearer gh-access" };
    api.intercept({ path: "/user", method: "GET", headers }).reply(200, user, JSON_HEADERS);
    api
      .intercept({ path: "/user/emails", method: "GET", headers })
      .reply(200, emails, JSON_HEADERS);
  }
}

/** Registers `before` (stubs in place of the global dispatcher) and `after` in the enclosing scope. */
export function useProviderStubs(): ProviderStubs {
  const stubs = new ProviderStubs();
  before(() => stubs.install());
  after(() => stubs.uninstall());
  return stubs;
}

export interface Started {
  location: URL;
  setCookies: string[];
  /** The state cookies as the browser sends them back. */
  cookie: string;
  state: string;
}

/** `GET /auth/:provider`, with `?next=` when a destination is given. */
export async function startSignIn(
  t: TestGateway,
  provider: string,
  next?: string,
): Promise<Started> {
  const query = next === undefined ? "" : `?${new URLSearchParams({ next })}`;
  const response = await fetch(`${t.base}/auth/${provider}${query}`, { redirect: "manual" });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get("location") ?? "");
  const setCookies = response.headers.getSetCookie();
  const cookie = setCookies.map((each) => each.split(";")[0]).join("; ");
  return { location, setCookies, cookie, state: location.searchParams.get("state") ?? "" };
}

export async function callback(
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

export async function me(t: TestGateway, token: string) {
  const response = await fetch(`${t.base}/api/me`, {
    headers: { cookie: `clofri_session=${token}` },
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    user: { id: string; email: string; displayName: string; avatarUrl: string | null };
  };
  return body.user;
}

export async function sessionCount(t: TestGateway): Promise<number> {
  const rows = await t.database.db.selectFrom("sessions").select("id").execute();
  return rows.length;
}

export async function magicLinkUser(t: TestGateway, email: string): Promise<string> {
  const token = await requestMagicLink(t, email);
  const verified = await postFromApp(t, "/auth/magic-link/verify", { token });
  assert.equal(verified.status, 200);
  return ((await verified.json()) as { user: { id: string } }).user.id;
}

export function assertStateCookiesCleared(setCookies: string[], provider: string): void {
  for (const name of [`clofri_oauth_state_${provider}`, `clofri_oauth_verifier_${provider}`]) {
    const cleared = setCookies.find((each) => each.startsWith(`${name}=;`));
    assert.ok(cleared, `${name} is cleared`);
    assert.match(cleared, /Path=\/auth; Max-Age=0/);
  }
}
