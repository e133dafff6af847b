import { type Kysely, sql } from "kysely";

// When each person was last removed from each group: an invite created before that moment never
// lets them back in (docs/API.md, "DELETE /api/groups/:id/members/:userId"). Frozen once landed.

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the types of its time
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("group_kicks")
    .addColumn("group_id", "uuid", (col) =>
      col.notNull().references("groups.id").onDelete("cascade"),
    )
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kicked_at", "timestamptz", (col) => col.notNull().defaultTo(sql`clock_timestamp()`))
    .addPrimaryKeyConstraint("group_kicks_pkey", ["group_id", "user_id"])
    .execute();
  // Deleting a user removes their rows through this index rather than a scan.
  await db.schema
    .createIndex("group_kicks_user_id_idx")
    .on("group_kicks")
    .column("user_id")
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: as for up
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("group_kicks").execute();
}
