import type { TimerRef } from "@clofri/actors";
import type { RoomContext, RoomTimerMsg } from "./room-messages.ts";

/** The actor's clock and timers, as the parts of a room use them. */
export interface RoomTimers {
  nowMs(): number;
  /** The room gets `msg` after `delayMs`, unless cancelled first. */
  after(delayMs: number, msg: RoomTimerMsg): TimerRef;
  cancel(timer: TimerRef): void;
}

/** The actor's clock and timers, for the parts of one incarnation. */
export function roomTimers(ctx: RoomContext): RoomTimers {
  return {
    nowMs: () => ctx.clock.now(),
    after: (delayMs, msg) => ctx.sendAfter(delayMs, msg),
    cancel: (timer) => {
      ctx.cancelTimer(timer);
    },
  };
}
