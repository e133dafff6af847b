export {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_DRAIN_BUDGET,
  type SpawnOptions,
} from "./actor-options.ts";
export type {
  ActorRef,
  SendError,
  SendResult,
  StartResult,
} from "./actor-ref.ts";
export type {
  ActorContext,
  ActorObserver,
  Behaviour,
  TimerRef,
} from "./behaviour.ts";
export { type Clock, realClock } from "./clock.ts";
export { ActorError, type ActorErrorCode, isActorError } from "./errors.ts";
export type { ExitReason } from "./exit-reason.ts";
export { DEFAULT_MAILBOX_CAPACITY } from "./mailbox.ts";
export { type RegisterResult, Registry } from "./registry.ts";
export type { RestartType } from "./restart-policy.ts";
export { spawn } from "./spawn.ts";
export {
  type ChildSpec,
  DEFAULT_MAX_RESTARTS,
  DEFAULT_RESTART_WINDOW_MS,
  type StartChildError,
  Supervisor,
  type SupervisorEvent,
  type SupervisorOptions,
} from "./supervisor.ts";
