// The benchmark's view into a gateway started with --inspect=127.0.0.1:<port>: a full garbage
// collection on demand over the DevTools protocol, so an RSS sample holds live memory rather than
// whatever garbage the last allocation burst left behind.
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";

/** Two passes: the first may only run the finalizers of weak references that the second frees. */
const GC_PASSES = 2;
/** V8 returns freed pages to the system shortly after the collection, not within it. */
const RELEASE_SETTLE_MS = 1_000;
/** A full GC of a large heap on a loaded machine takes seconds; a minute means it is stuck. */
const CALL_TIMEOUT_MS = 60_000;

interface Target {
  webSocketDebuggerUrl: string;
}

interface Reply {
  id?: number;
  result?: unknown;
  error?: { code: number; message: string };
}

/** Forces full garbage collections in the process and returns its JS heap used after them, bytes. */
export async function collectGarbage(port: number): Promise<number> {
  const session = await InspectorSession.open(port);
  try {
    for (let pass = 0; pass < GC_PASSES; pass++) await session.call("HeapProfiler.collectGarbage");
    const usage = (await session.call("Runtime.getHeapUsage")) as { usedSize: number };
    await sleep(RELEASE_SETTLE_MS);
    return usage.usedSize;
  } finally {
    session.close();
  }
}

/** One DevTools protocol connection; replies are matched to calls by id, events are ignored. */
class InspectorSession {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (data) => {
      const reply = JSON.parse(String(data)) as Reply;
      if (reply.id === undefined) return;
      this.#pending.get(reply.id)?.(reply);
      this.#pending.delete(reply.id);
    });
    socket.on("close", () => {
      const closed: Reply = { error: { code: 0, message: "the inspector connection closed" } };
      for (const settle of this.#pending.values()) settle(closed);
      this.#pending.clear();
    });
  }

  static async open(port: number): Promise<InspectorSession> {
    const response = await fetch(`http://127.0.0.1:${port}/json/list`);
    const targets = (await response.json()) as Target[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (url === undefined) {
      throw new Error(`expected an inspector target on port ${port}, got none`);
    }
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new InspectorSession(socket);
  }

  call(method: string): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no reply from the inspector within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.error === undefined) resolve(reply.result);
        else reject(new Error(`${method}: ${reply.error.message} (${reply.error.code})`));
      });
      this.#socket.send(JSON.stringify({ id, method }));
    });
  }

  close(): void {
    this.#socket.close();
  }
}
