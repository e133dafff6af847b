/** Resolves after every queued microtask has run (actor drains, continuations, rejections). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
