/** Why an incarnation ended. Only `crashed` is abnormal (transient children restart on it). */
export type ExitReason =
  /** The actor called `ctx.stop()`. */
  | { kind: "normal"; detail?: string }
  /** Someone called `ref.stop()` or `supervisor.terminateChild()`; never restarted. */
  | { kind: "shutdown"; detail?: string }
  /** `init` or `handle` threw or rejected. */
  | { kind: "crashed"; error: unknown };
