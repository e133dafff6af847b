import { insertUser } from "../src/db/test-fixtures.ts";
import { FRIEND_CODE_LENGTH } from "../src/db/users.ts";
import type { SocialEvent } from "../src/social/events.ts";
import { newCode } from "../src/tokens.ts";
import type { TestGateway } from "./harness.ts";

// Fixtures for the social API's tests: people with sessions made directly in the database (fast),
// a typed API caller with a Bearer token, and a recorder of the social events a test causes.

export const RELAXED = { REST_REQUESTS_PER_MINUTE: "100000" };
/** RELAXED, and chat limits no test's burst of sends reaches. */
export const LOUD = {
  ...RELAXED,
  MESSAGES_PER_MINUTE: "100000",
  MESSAGE_BURST_PER_SECOND: "100000",
};

export interface Person {
  id: string;
  name: string;
  token: string;
  code: string;
}

export async function newPerson(t: TestGateway, name?: string): Promise<Person> {
  const user = await insertUser(t.database.db, {
    friend_code: newCode(FRIEND_CODE_LENGTH),
    ...(name === undefined ? {} : { display_name: name }),
  });
  const { token } = await t.gateway.context.sessions.create(user.id, undefined);
  return { id: user.id, name: user.display_name, token, code: user.friend_code };
}

export async function newPeople(t: TestGateway, count: number): Promise<Person[]> {
  const people: Person[] = [];
  for (let i = 0; i < count; i++) people.push(await newPerson(t));
  return people;
}

/** Makes friends in the database, skipping the request flow the friends tests cover. */
export async function befriend(t: TestGateway, a: Person, ...others: Person[]): Promise<void> {
  if (others.length === 0) return;
  await t.database.db
    .insertInto("friendships")
    .values(others.map((b) => ({ requester_id: a.id, addressee_id: b.id, status: "accepted" })))
    .execute();
}

export interface ApiReply<TBody> {
  status: number;
  body: TBody;
  headers: Headers;
}

/** Calls the API as `person` (no person: signed out); the body type is the test's assertion. */
export async function call<TBody = Record<string, unknown>>(
  t: TestGateway,
  person: Person | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiReply<TBody>> {
  const headers: Record<string, string> = {};
  if (person) headers.authorization = `Bearer ${person.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${t.base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text === "" ? undefined : JSON.parse(text)) as TBody,
    headers: response.headers,
  };
}

/** Records the events emitted while it listens; `take()` hands them over and starts afresh. */
export function recordEvents(t: TestGateway) {
  const events: SocialEvent[] = [];
  const stop = t.gateway.context.events.subscribe((event) => events.push(event));
  return {
    take(): SocialEvent[] {
      return events.splice(0);
    },
    stop,
  };
}

/** Who gets which frame, by user id, for easy comparison. */
export function framesByRecipient(event: SocialEvent | undefined): Record<string, unknown> {
  if (!event) throw new Error("expected an event, got none");
  const byUser: Record<string, unknown> = {};
  for (const delivery of event.deliveries) byUser[delivery.userId] = delivery.frame;
  return byUser;
}

export interface GroupBody {
  id: string;
  name: string;
  kind: "group" | "direct";
  role: "creator" | "member";
  muted: boolean;
  present: string[];
  createdAt: number;
  members: Array<{
    id: string;
    displayName: string;
    avatarUrl: string | null;
    role: "creator" | "member";
    muted: boolean;
    joinedAt: number;
  }>;
}

/** Creates a group through the API as `creator` with `members` (who must be their friends). */
export async function createGroup(
  t: TestGateway,
  creator: Person,
  members: Person[],
  name = "Couch",
): Promise<GroupBody> {
  const reply = await call<{ group: GroupBody }>(t, creator, "POST", "/api/groups", {
    name,
    memberIds: members.map((m) => m.id),
  });
  if (reply.status !== 201) {
    throw new Error(
      `expected 201 creating a group, got ${reply.status} ${JSON.stringify(reply.body)}`,
    );
  }
  return reply.body.group;
}

/** A creator with a friend in the group, a friend outside it, and a stranger. */
export async function groupCast(t: TestGateway) {
  const [creator, member, outsider, stranger] = await newPeople(t, 4);
  if (!creator || !member || !outsider || !stranger) throw new Error("expected four people");
  await befriend(t, creator, member, outsider);
  const group = await createGroup(t, creator, [member]);
  return { creator, member, outsider, stranger, group };
}

export function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } } | undefined)?.error?.code;
}
