import type {
  FriendAddedFrame,
  FriendRemovedFrame,
  FriendRequestFrame,
  FriendRequestRemovedFrame,
  GroupAddedFrame,
  GroupDeletedFrame,
  GroupUpdatedFrame,
  MemberKickedFrame,
  MemberLeftFrame,
  MemberMutedFrame,
  PresenceMode,
  PresenceModeFrame,
  ProfileUpdatedFrame,
  UserSummary,
} from "@clofri/protocol";

/** One frame for one user: the real-time layer sends it to every live socket of `userId`. */
export interface Delivery<TFrame> {
  userId: string;
  frame: TFrame;
}

/**
 * A committed change to the social graph: `deliveries` says who hears of it with which frame (the
 * actor's other tabs too); the rest lets the real-time layer update its state without a query.
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
      type: "friend_request_removed";
      requestId: string;
      deliveries: Delivery<FriendRequestRemovedFrame>[];
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
    }
  | {
      type: "profile_updated";
      user: UserSummary;
      /** The person's groups: their rooms show the new name from now on. */
      groups: string[];
      deliveries: Delivery<ProfileUpdatedFrame>[];
    }
  | {
      /** Their presence mode changed: friends see another status (their own tabs are told). */
      type: "presence_mode";
      userId: string;
      mode: PresenceMode;
      /** The person's groups: their rooms show them to the group, or only to the room. */
      groups: string[];
      deliveries: Delivery<PresenceModeFrame>[];
    };

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
