import type { Kysely } from "kysely";
import type { Database } from "../db/tables.ts";
import type { SocialEvent } from "./events.ts";
import type { SocialContext } from "./social-context.ts";

export type Emit = (event: SocialEvent) => void;

/**
 * Runs `work` in one transaction and emits the events it queued once the transaction committed;
 * when it throws, the changes roll back and the events are dropped, so nobody hears of a change
 * that did not happen. PGlite hazard: inside `work` use only `trx`, never `ctx.db`.
 */
export async function commitThenEmit<T>(
  ctx: Pick<SocialContext, "db" | "events">,
  work: (trx: Kysely<Database>, emit: Emit) => Promise<T>,
): Promise<T> {
  const queued: SocialEvent[] = [];
  const result = await ctx.db
    .transaction()
    .execute((trx) => work(trx, (event) => queued.push(event)));
  for (const event of queued) ctx.events.emit(event);
  return result;
}
