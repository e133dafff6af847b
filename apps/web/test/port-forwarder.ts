import { connect, createServer, type Server, type Socket } from "node:net";

// Why browsers reach the gateway through this: a restarted in-process gateway cannot listen on its
// old port while the old uWS app still holds the browsers' kept-alive HTTP connections (uWS 20.30
// has no app.close()). A process restart drops every connection; this forwarder does the same, so
// the browsers see one stable origin and a real restart: refused while down, everything reconnects.

/** Forwards 127.0.0.1:<port> to the current gateway; `pause()` ends every connection. */
export class PortForwarder {
  readonly #server: Server;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();
  #port = 0;
  #targetPort: number | undefined;

  constructor() {
    this.#server = createServer((client) => this.#forward(client));
  }

  /** The port browsers use, the same from the first `listen` on. */
  get port(): number {
    return this.#port;
  }

  /** Binds a free port; connections are dropped until `forwardTo`. */
  async listen(): Promise<number> {
    await this.#listen();
    return this.#port;
  }

  /** Forwards new connections to the gateway on `targetPort`, listening again after a `pause`. */
  async forwardTo(targetPort: number): Promise<void> {
    this.#targetPort = targetPort;
    if (!this.#server.listening) await this.#listen();
  }

  /** Stops accepting (new connections are refused) and ends every open connection. */
  pause(): void {
    this.#targetPort = undefined;
    if (this.#server.listening) this.#server.close();
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      // A half-close: the old gateway closes its side, and what it sent last (a WebSocket close
      // frame) still flows to the browser before the browser's connection ends.
      upstream.end();
    }
  }

  /** pause, and tear down whatever is still open. */
  close(): void {
    this.pause();
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  #listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#port, "127.0.0.1", () => {
        this.#server.off("error", reject);
        const address = this.#server.address();
        if (address && typeof address === "object") this.#port = address.port;
        resolve();
      });
    });
  }

  #forward(client: Socket): void {
    if (this.#targetPort === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(this.#targetPort, "127.0.0.1");
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const drop = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // A reset on either side is how connections end in a restart test: not an error to report.
    client.on("error", drop);
    upstream.on("error", drop);
    client.on("close", drop);
    upstream.on("close", () => {
      this.#pairs.delete(pair);
      client.end();
    });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
