import { type Kysely, sql } from "kysely";

// How each person appears to others (auto, busy, appear offline), and who blocked whom
// (docs/API.md, "Presence modes" and "Blocks"). Frozen once landed.

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the types of its time
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("presence_mode", "text", (col) =>
      col.notNull().defaultTo("auto").check(sql`presence_mode in ('auto', 'busy', 'offline')`),
    )
    .execute();
  await db.schema
    .createTable("blocks")
    .addColumn("blocker_id", "uuid", (col) =>
      col.notNull().references("users.id").onDelete("cascade"),
    )
    .addColumn("blocked_id", "uuid", (col) =>
      col.notNull().references("users.id").onDelete("cascade"),
    )
    .addColumn("created_at", "timestamptz", (col) =>
      col.notNull().defaultTo(sql`clock_timestamp()`),
    )
    .addPrimaryKeyConstraint("blocks_pkey", ["blocker_id", "blocked_id"])
    .addCheckConstraint("blocks_not_self", sql`blocker_id <> blocked_id`)
    .execute();
  // "Did they block me?" and deleting a user look blocks up by the blocked person.
  await db.schema.createIndex("blocks_blocked_id_idx").on("blocks").column("blocked_id").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: as for up
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("blocks").execute();
  await db.schema.alterTable("users").dropColumn("presence_mode").execute();
}
