import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { update } from "../state/store.ts";

/**
 * Block, after a second click that says who. The server ends the friendship and drops requests
 * either way (its frames follow); the lists here change at once.
 */
export function BlockButton(props: {
  userId: string;
  name: string;
  onError: (error: string | null) => void;
}) {
  const { userId, name, onError } = props;
  const [confirming, setConfirming] = useState(false);
  const block = async () => {
    try {
      await api("POST", "/api/blocks", { userId });
      update((s) => ({
        ...s,
        friends: s.friends.filter((f) => f.id !== userId),
        incomingRequests: s.incomingRequests.filter((r) => r.from.id !== userId),
        outgoingRequests: s.outgoingRequests.filter((r) => r.to.id !== userId),
      }));
    } catch (failure) {
      onError(problem(failure));
    }
  };
  return confirming ? (
    <>
      <button type="button" class="danger" onClick={() => void block()}>
        Block <bdi>{name}</bdi>
      </button>
      <button type="button" class="secondary" onClick={() => setConfirming(false)}>
        Don't block
      </button>
    </>
  ) : (
    <button
      type="button"
      class="secondary"
      onClick={() => setConfirming(true)}
      aria-label={`Block ${name}`}
    >
      Block
    </button>
  );
}
