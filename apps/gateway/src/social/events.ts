import type {
  FriendAddedFrame,
  FriendRemovedFrame,
  FriendRequestFrame,
  GroupAddedFrame,
  GroupDeletedFrame,
  GroupUpdatedFrame,
  MemberKickedFrame,
  MemberLeftFrame,
  MemberMutedFrame,
} from "@clofri/protocol";

/** One frame for one user: the real-time layer sends it to every live socket of `userId`. */
export interface Delivery<TFrame> {
  userId: string;
  frame: TFrame;
}

/**
 * Every change to the social graph, emitted after its transaction committed. `deliveries` says who
 * hears about it and with which frame (the actor included, so their other tabs stay in step); the
 * other fields are what the real-time layer needs to update its own state (rooms, subscriptions,
 * membership caches) without reading the database.
 */
export type SocialEvent =
  | {
      type: "friend_request";
      requestId: string;
      fromUserId: string;
      toUserId: string;
      deliveries: Delivery<FriendRequestFrame>[];
    }
  | {
      type: "friend_added";
      /** The two new friends. */
      userIds: [string, string];
      deliveries: Delivery<FriendAddedFrame>[];
    }
  | {
      type: "friend_removed";
      userIds: [string, string];
      deliveries: Delivery<FriendRemovedFrame>[];
    }
  | {
      type: "group_added";
      group: string;
      /** The users who are now members and were not before: subscribe them to the group. */
      userIds: string[];
      deliveries: Delivery<GroupAddedFrame>[];
    }
  | {
      type: "group_updated";
      group: string;
      name: string;
      deliveries: Delivery<GroupUpdatedFrame>[];
    }
  | {
      type: "group_deleted";
      group: string;
      /** Everyone who was a member: close the room and unsubscribe them. */
      userIds: string[];
      deliveries: Delivery<GroupDeletedFrame>[];
    }
  | {
      type: "member_kicked";
      group: string;
      /** Remove this user from the room at once. */
      userId: string;
      deliveries: Delivery<MemberKickedFrame>[];
    }
  | {
      type: "member_muted";
      group: string;
      userId: string;
      muted: boolean;
      deliveries: Delivery<MemberMutedFrame>[];
    }
  | {
      type: "member_left";
      group: string;
      userId: string;
      /** The new creator when the leaver was the creator. */
      creatorId: string | undefined;
      deliveries: Delivery<MemberLeftFrame>[];
    };

export type SocialEventType = SocialEvent["type"];
export type SocialListener = (event: SocialEvent) => void;

/**
 * The in-process bus from the social graph to the real-time layer. Listeners run synchronously in
 * subscription order. The change has already committed when an event is emitted, so a listener
 * that throws is reported and skipped: it never fails the request or starves the other listeners.
 */
export class SocialBus {
  readonly #listeners = new Set<{ listener: SocialListener }>();
  readonly #onListenerError: (error: unknown, event: SocialEvent) => void;

  constructor(onListenerError: (error: unknown, event: SocialEvent) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Returns the function that unsubscribes (the same listener may be subscribed twice). */
  subscribe(listener: SocialListener): () => void {
    const entry = { listener };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(event: SocialEvent): void {
    for (const { listener } of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
