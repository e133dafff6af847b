import type { Kysely } from "kysely";
import type { Mailer } from "./auth/mailer.ts";
import type { Sessions } from "./auth/sessions.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/tables.ts";
import type { RequestAuth } from "./http/request-auth.ts";
import type { Logger } from "./obs/logger.ts";
import type { GatewayMetrics } from "./obs/metrics.ts";
import type { SocialBus } from "./social/events.ts";
import type { PresenceReader } from "./social/presence.ts";

/** What route modules need, built once by the gateway and passed to each `…Routes(router, ctx)`. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  sessions: Sessions;
  auth: RequestAuth;
  mailer: Mailer;
  now: () => number;
  /** The public origin; known only after listening when PORT=0. */
  appOrigin: () => string;
  /** Social-graph changes, emitted after commit, for the real-time layer to deliver. */
  events: SocialBus;
  /** Who is online and in which room, as the real-time layer knows it. */
  presence: PresenceReader;
  /** Counters that routes feed (rate limits); the rest is counted at the edges. */
  metrics: GatewayMetrics;
}
