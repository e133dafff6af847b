import type { Kysely } from "kysely";
import type { UserPresence } from "../chat/user-presence.ts";
import { writeLastSeen } from "../db/realtime.ts";
import type { Database } from "../db/tables.ts";
import type { Logger } from "../obs/logger.ts";

/**
 * Writes `users.last_seen_at` from presence: every online user's and every departed one's, in one
 * batch a minute (so at most once a minute per user), and once more at shutdown. A failed write
 * (database down) is logged and its entries are tried again next time.
 */
export class LastSeenWriter {
  readonly #db: Kysely<Database>;
  readonly #presence: UserPresence;
  readonly #logger: Logger;
  #inFlight: Promise<void> | undefined;

  constructor(db: Kysely<Database>, presence: UserPresence, logger: Logger) {
    this.#db = db;
    this.#presence = presence;
    this.#logger = logger;
  }

  /** At most one write at a time; never rejects. */
  write(): Promise<void> {
    this.#inFlight ??= this.#write().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #write(): Promise<void> {
    const entries = this.#presence.lastSeenToWrite();
    if (entries.length === 0) return;
    try {
      await writeLastSeen(this.#db, entries);
      this.#presence.written(entries);
    } catch (error) {
      this.#logger.warn({ event: "last_seen_write_failed", users: entries.length, err: error });
    }
  }
}
