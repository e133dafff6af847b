/**
 * Waits until `condition` holds, checking every few milliseconds: for what crosses a real NATS
 * server, whose deliveries no test clock drives.
 */
export async function eventually(
  condition: () => boolean,
  description: string,
  waitMs = 3_000,
): Promise<void> {
  const deadline = performance.now() + waitMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
