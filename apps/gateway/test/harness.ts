import assert from "node:assert/strict";
import type { Mail } from "../src/auth/mailer.ts";
import { loadConfig } from "../src/config.ts";
import type { TestEngine } from "../src/db/test-engines.ts";
import { isClusterPairMode, startTestPair } from "./pair-harness.ts";
import {
  CapturingMailer,
  startHarnessGateway,
  type TestGateway,
  type TestGatewayOptions,
} from "./test-gateway.ts";

export type { TestGateway, TestGatewayOptions } from "./test-gateway.ts";
export { CapturingMailer } from "./test-gateway.ts";

/**
 * The real gateway in this process on 127.0.0.1:0 over a fresh database of the given engine
 * (in cluster pair mode, two gateways of one cluster). Time is a settable clock (rate limits,
 * expiries); `env` overrides configuration.
 */
export async function startTestGateway(
  engine: TestEngine,
  env: Record<string, string> = {},
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  if (isClusterPairMode()) return startTestPair(engine, env, options);
  const database = await engine.open();
  const config = loadConfig({ PORT: "0", LOG_LEVEL: "silent", ...env });
  const clock = { nowMs: Date.now() };
  const mailer = new CapturingMailer();
  const gateway = await startHarnessGateway(config, { database, mailer, clock, options });
  return {
    gateway,
    database,
    mailer,
    base: `http://127.0.0.1:${gateway.port}`,
    origin: gateway.appOrigin,
    clock,
    async close() {
      await gateway.shutdown();
      await database.close();
    },
  };
}

/** A POST of JSON as the app's own page sends it (its Origin), plus any `headers`. */
export function postFromApp(
  t: Pick<TestGateway, "base" | "origin">,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${t.base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: t.origin, ...headers },
    body: JSON.stringify(body),
  });
}

/** Asks for a sign-in link for `email`; the token of the link the mail carries. */
export async function requestMagicLink(
  t: Pick<TestGateway, "base" | "origin" | "mailer">,
  email: string,
): Promise<string> {
  const response = await postFromApp(t, "/auth/magic-link", { email });
  assert.equal(response.status, 202);
  return tokenFromMail(await t.mailer.next(email));
}

/** The token inside a magic link, as the web app's verify page reads it from the fragment. */
export function tokenFromMail(mail: Mail): string {
  const match = /#token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match?.[1]) throw new Error(`no sign-in link in mail: ${mail.text}`);
  return match[1];
}

export function cookieValue(setCookie: string | null, name: string): string | undefined {
  const match = new RegExp(`(?:^|[;,]\\s*)${name}=([^;]*)`).exec(setCookie ?? "");
  return match?.[1];
}
