/**
 * A throwing listener is a bug and must surface, but throwing inline would leave the runtime
 * half-way through a state change; rethrowing on a fresh microtask reports it as uncaught.
 */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
