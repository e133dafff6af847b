import type { Activity } from "../chat/room-activity.ts";
import type { Membership } from "./membership.ts";
import type { RoomOwnership } from "./room-ownership.ts";
import type { Rpc } from "./rpc.ts";
import { nodeSubject } from "./subjects.ts";

/** A hello waits this long at most for other gateways' rooms; a late owner's groups show none. */
const ASK_AT_MOST_MS = 500;

export interface RemoteActivityDeps {
  node: string;
  membership: Pick<Membership, "liveNodes">;
  ownership: Pick<RoomOwnership, "ownerOf">;
  rpc: Pick<Rpc, "ask">;
}

/**
 * What `userId` has not seen in the rooms other live gateways own, for a hello: one request per
 * owner, asked at once, none started. Rooms owned here are read locally by the caller.
 */
export async function activityElsewhere(
  deps: RemoteActivityDeps,
  userId: string,
  groupIds: readonly string[],
): Promise<Map<string, Activity>> {
  const live = new Set(deps.membership.liveNodes);
  const byNode = new Map<string, string[]>();
  for (const groupId of groupIds) {
    const node = deps.ownership.ownerOf(groupId)?.node;
    if (node === undefined || node === deps.node || !live.has(node)) continue;
    const groups = byNode.get(node);
    if (groups === undefined) byNode.set(node, [groupId]);
    else groups.push(groupId);
  }
  const found = new Map<string, Activity>();
  if (byNode.size === 0) return found;
  const asks = [...byNode].map(async ([node, groups]) => {
    const request = JSON.stringify({ op: "activity", from: deps.node, userId, groups });
    const answer = await deps.rpc.ask(nodeSubject(node), request);
    if (!answer.ok) return;
    const activities = JSON.parse(answer.text) as Record<string, Activity>;
    for (const [groupId, activity] of Object.entries(activities)) found.set(groupId, activity);
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ASK_AT_MOST_MS);
  });
  await Promise.race([Promise.all(asks), late]);
  clearTimeout(timer);
  return new Map(found);
}
