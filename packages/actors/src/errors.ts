/** Why a `call` failed; `send` reports the same conditions as values instead. */
export type ActorErrorCode = "timeout" | "stopped" | "mailbox_full" | "crashed" | "no_reply";

export class ActorError extends Error {
  override readonly name = "ActorError";
  readonly code: ActorErrorCode;

  constructor(code: ActorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isActorError(error: unknown, code?: ActorErrorCode): error is ActorError {
  return error instanceof ActorError && (code === undefined || error.code === code);
}
