import assert from "node:assert/strict";
import { afterEach } from "node:test";
import { ManualClock, settle } from "@clofri/actors/testing";
import type { GroupStateFrame, ServerFrame } from "@clofri/protocol";
import type { RoomsEvent } from "../room-events.ts";
import type { JoinRequest, RoomUser, SendResult } from "../room-messages.ts";
import { RoomSupervisor, type RoomSupervisorOptions } from "../room-supervisor.ts";
import { RecordingPort } from "./recording-port.ts";

export const GROUP = "7c1e4f6a-0000-4000-8000-000000000001";
export const OTHER_GROUP = "7c1e4f6a-0000-4000-8000-000000000002";

export const ALICE: RoomUser = {
  id: "a11ce000-0000-4000-8000-000000000001",
  displayName: "Alice",
  avatarUrl: null,
};
export const BOB: RoomUser = {
  id: "b0b00000-0000-4000-8000-000000000002",
  displayName: "Bob",
  avatarUrl: "https://example.test/bob.png",
};
export const CAROL: RoomUser = {
  id: "ca701000-0000-4000-8000-000000000003",
  displayName: "Carol",
  avatarUrl: null,
};

const ports: RecordingPort[] = [];
const unhandledRejections: unknown[] = [];

/**
 * After every test of the calling file: no unhandled rejection anywhere, and every frame the
 * rooms produced was a valid server frame.
 */
export function checkAfterEachTest(): void {
  process.on("unhandledRejection", (reason) => unhandledRejections.push(reason));
  afterEach(() => {
    const invalid = ports.splice(0).flatMap((port) => port.invalid);
    assert.deepEqual(unhandledRejections.splice(0), [], "no unhandled rejection");
    assert.deepEqual(invalid, [], "every frame decodes as a server frame");
  });
}

export interface SetupOptions extends RoomSupervisorOptions {
  port?: RecordingPort;
}

/** A RoomSupervisor on a ManualClock (wall clock = the same clock) and a RecordingPort, test hooks on. */
export function setup({ port = new RecordingPort(), ...options }: SetupOptions = {}) {
  const clock = new ManualClock(1_763_800_000_000);
  ports.push(port);
  const events: RoomsEvent[] = [];
  const rooms = new RoomSupervisor(port, {
    clock,
    now: () => clock.now(),
    enableTestHooks: true,
    onEvent: (event) => events.push(event),
    ...options,
  });
  let connCount = 0;
  /** A new socket of `user`, online in `groupIds` (it hears their presence topics). */
  function connect(user: RoomUser, groupIds: string[] = [GROUP, OTHER_GROUP]): TestClient {
    const connId = `conn-${++connCount}-${user.displayName.toLowerCase()}`;
    port.connect(connId, groupIds);
    return new TestClient(rooms, port, connId, user);
  }
  return { clock, port, rooms, events, connect };
}

/** One socket of one user, speaking to the rooms as the WebSocket layer would. */
export class TestClient {
  readonly rooms: RoomSupervisor;
  readonly port: RecordingPort;
  readonly connId: string;
  readonly user: RoomUser;
  #keyCount = 0;

  constructor(rooms: RoomSupervisor, port: RecordingPort, connId: string, user: RoomUser) {
    this.rooms = rooms;
    this.port = port;
    this.connId = connId;
    this.user = user;
  }

  get userId(): string {
    return this.user.id;
  }

  join(options: Partial<JoinRequest> = {}, groupId = GROUP) {
    return this.rooms.join(groupId, {
      connId: this.connId,
      user: this.user,
      isMuted: false,
      ...options,
    });
  }

  /** Joins, and returns what the connection received since the last look, `group_state` last. */
  async joinAndLook(options: Partial<JoinRequest> = {}, groupId = GROUP): Promise<ServerFrame[]> {
    await this.join(options, groupId);
    return this.frames();
  }

  leave(groupId = GROUP) {
    return this.rooms.call(groupId, { type: "leave", connId: this.connId, userId: this.userId });
  }

  send(text: string, key = `key-${++this.#keyCount}`, groupId = GROUP): Promise<SendResult> {
    const { connId, userId } = this;
    const request = { connId, userId, displayName: this.user.displayName, text, key };
    return new Promise((resolve) => this.rooms.send(groupId, request, resolve));
  }

  typingStart(groupId = GROUP) {
    const { connId, userId } = this;
    const { displayName } = this.user;
    return this.rooms.call(groupId, { type: "typing_start", connId, userId, displayName });
  }

  typingStop(groupId = GROUP) {
    return this.rooms.call(groupId, {
      type: "typing_stop",
      connId: this.connId,
      userId: this.userId,
    });
  }

  async setIdle(isIdle: boolean, groupId = GROUP): Promise<void> {
    this.rooms.cast(groupId, {
      type: "set_idle",
      connId: this.connId,
      userId: this.userId,
      isIdle,
    });
    await settle();
  }

  /** The socket goes away: cleanly (close frame) or not (network drop). */
  async disconnect(isClean: boolean, groupIds = [GROUP]): Promise<void> {
    this.port.close(this.connId);
    for (const groupId of groupIds) {
      this.rooms.disconnect(groupId, { connId: this.connId, userId: this.userId, isClean });
    }
    await settle();
  }

  /** Frames received since the last look. */
  frames(): ServerFrame[] {
    return this.port.take(this.connId);
  }

  /** Types of the frames received since the last look, e.g. `["user_joined", "message"]`. */
  seen(): string[] {
    return this.frames().map((frame) => frame.type);
  }
}

/** The error code of a refused request; undefined when it succeeded. */
export function codeOf(result: { ok: true } | { ok: false; code: string }): string | undefined {
  return result.ok ? undefined : result.code;
}

/** The one frame a join produced, which must be `group_state`. */
export function groupState(frames: ServerFrame[]): GroupStateFrame {
  assert.equal(frames.length, 1, `expected only group_state, got ${JSON.stringify(frames)}`);
  const [frame] = frames;
  assert.equal(frame?.type, "group_state");
  return frame;
}
