import type { Kysely } from "kysely";
import type { Database } from "../db/tables.ts";
import type { SocialBus } from "./events.ts";
import type { PresenceReader } from "./presence.ts";

/** What the social rules need; the edges pass their AppContext, which holds all of it. */
export interface SocialContext {
  db: Kysely<Database>;
  now: () => number;
  /** The public origin, for invite links. */
  appOrigin: () => string;
  /** Where changes are told once committed; the real-time layer delivers them. */
  events: SocialBus;
  /** Who is online and in which room, as the real-time layer knows it. */
  presence: PresenceReader;
}
