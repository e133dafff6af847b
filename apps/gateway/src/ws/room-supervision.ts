import type { Clock } from "@clofri/actors";
import type { Kysely } from "kysely";
import type { RoomsEvent } from "../chat/room-events.ts";
import type { RoomSupervisorOptions } from "../chat/room-supervisor.ts";
import type { Config } from "../config.ts";
import { listMembers } from "../db/groups.ts";
import type { Database } from "../db/tables.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";

export interface RoomSupervisionDeps {
  config: Config;
  logger: Logger;
  metrics: GatewayMetrics;
  /** The gateway's wall clock: heartbeat timeouts, idleness, rate limits, message times. */
  now: () => number;
  /** Runs room and presence timers (grace, typing, linger); tests pass a ManualClock. */
  clock?: Clock | undefined;
  /** Where a starting room reads its group's members. */
  db?: Kysely<Database>;
  /** Enables `rooms.crash`; tests only. */
  enableTestHooks?: boolean | undefined;
}

/** The room supervisor as the gateway runs it: limits from the config, events to metrics and logs. */
export function roomSupervisorOptions(
  { config, db, ...deps }: RoomSupervisionDeps,
  /** Also told of every room event (cluster mode frees a stopped room's owner entry). */
  onEvent?: (event: RoomsEvent) => void,
): RoomSupervisorOptions {
  const logEvent = logRoomEvent(deps.logger);
  return {
    clock: deps.clock,
    now: deps.now,
    maxMessages: config.retention.maxMessages,
    maxAgeMs: config.retention.maxAgeMs,
    typingTimeoutMs: config.timing.typingTimeoutMs,
    typingEventsPerSecond: config.limits.typingEventsPerSecond,
    presenceGraceMs: config.timing.presenceGraceMs,
    roomLingerMs: config.timing.roomLingerMs,
    maxTextLength: config.limits.maxTextLength,
    maxRestarts: config.limits.roomMaxRestarts,
    restartWindowMs: config.timing.roomRestartWindowMs,
    maxRooms: config.limits.maxRooms,
    enableTestHooks: deps.enableTestHooks === true,
    ...(db && {
      loadMembers: async (groupId: string) =>
        (await listMembers(db, [groupId])).map((row) => row.user_id),
    }),
    observer: deps.metrics.roomObserver,
    onEvent: (event) => {
      deps.metrics.roomEvent(event);
      logEvent(event);
      onEvent?.(event);
    },
  };
}

/** Room lifecycle as log lines: crashes loud, restarts noted, starts and stops for debugging. */
function logRoomEvent(logger: Logger): (event: RoomsEvent) => void {
  return (event) => {
    switch (event.type) {
      case "room_crashed":
      case "room_gave_up":
        logger.error({ event: event.type, groupId: event.groupId, err: event.error });
        return;
      case "room_restarted":
        logger.warn({
          event: event.type,
          groupId: event.groupId,
          restarts: event.restartsInWindow,
        });
        return;
      case "room_started":
      case "room_stopped":
        logger.debug({ event: event.type, groupId: event.groupId });
        return;
    }
  };
}
