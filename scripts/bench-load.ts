// What every load scenario shares: the shape of its rooms and how its clients run.
import type { Layout } from "./loadtest-fixtures.ts";

/**
 * How the scenarios' load clients run: each worker on source addresses of its own, texts as they
 * are, a ref on every frame, each room's sends together (`--spread` changes that for (a), (b), (e)),
 * 100 connects in flight.
 */
export const BENCH_CLIENTS = {
  useSourceAddresses: true,
  textPadding: 0,
  withRefs: true,
  spreadSends: false,
  connectConcurrency: 100,
} as const;

/** Every scenario's shape: groups of 8 whose members are friends, one group each by default. */
export function roomsOfEight(
  users: number,
  overrides: Partial<Omit<Layout, "users" | "groupSize">> & Pick<Layout, "isSending">,
): Layout {
  return { users, groupSize: 8, groupsPerUser: 1, join: "first", befriend: "group", ...overrides };
}
