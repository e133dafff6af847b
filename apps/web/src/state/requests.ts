// Pending friend requests: the one list the badge, home and the friends page all read. Loaded
// from GET /api/friends/requests (net/requests-sync.ts), kept current by live frames and by the
// person's own answers.
import type { UserSummary } from "@clofri/protocol";
import type { AppState } from "./app-state.ts";

export interface RequestsAnswer {
  incoming: { id: string; from: UserSummary; createdAt: number }[];
  outgoing: { id: string; to: UserSummary; createdAt: number }[];
}

/** The server's lists replace ours. */
export function requestsLoaded(state: AppState, answer: RequestsAnswer): AppState {
  return {
    ...state,
    incomingRequests: answer.incoming.map(({ id, from }) => ({ id, from })),
    outgoingRequests: answer.outgoing.map(({ id, to }) => ({ id, to })),
  };
}

/** A live change (a new request, a new friend): bumps the revision a load in flight checks. */
export function requestsChanged(
  state: AppState,
  change: Pick<AppState, "incomingRequests" | "outgoingRequests">,
): AppState {
  return { ...state, ...change, requestsRevision: state.requestsRevision + 1 };
}

/** I accepted, ignored or cancelled this request. */
export function requestAnswered(state: AppState, id: string): AppState {
  return requestsChanged(state, {
    incomingRequests: state.incomingRequests.filter((r) => r.id !== id),
    outgoingRequests: state.outgoingRequests.filter((r) => r.id !== id),
  });
}

/** We became friends: any request between us, either way, is settled. */
export function requestsSettledWith(state: AppState, userId: string): AppState {
  return requestsChanged(state, {
    incomingRequests: state.incomingRequests.filter((r) => r.from.id !== userId),
    outgoingRequests: state.outgoingRequests.filter((r) => r.to.id !== userId),
  });
}
