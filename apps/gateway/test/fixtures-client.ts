import type { TestGateway } from "./harness.ts";

/** The admin token the tests that mint users in bulk configure (`env` of their gateway). */
export const TEST_ADMIN_TOKEN = "admin-token-for-tests-0123456789";

export interface FixtureUser {
  id: string;
  email: string;
  displayName: string;
  token: string;
}

export interface Fixtures {
  users: FixtureUser[];
  groups: Array<{ id: string; members: string[] }>;
}

/** Users with sessions (and groups of them) in one call, as a load tester makes them. */
export async function mintFixtures(
  t: Pick<TestGateway, "base">,
  spec: { users: number; groups?: Array<{ name: string; members: number[] }> },
): Promise<Fixtures> {
  const response = await fetch(`${t.base}/admin/fixtures`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ groups: [], ...spec }),
  });
  if (response.status !== 201) {
    throw new Error(`fixtures: expected 201, got ${response.status}: ${await response.text()}`);
  }
  return (await response.json()) as Fixtures;
}
