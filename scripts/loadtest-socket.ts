// A lean WebSocket client on node:net for the load tester: no stream machinery on the read side
// (one shared read buffer through `onread`), frames parsed in place, text handed over as byte
// ranges so a delivery is never decoded into a string unless the caller wants one.
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export interface RawSocketHandlers {
  /** The upgrade answered 101. */
  onOpen(socket: RawSocket): void;
  /** One text frame, `bytes[start, end)`; valid only during the call. */
  onText(socket: RawSocket, bytes: Buffer, start: number, end: number): void;
  /** Once, however it ended: `code` is the close frame's code, 1006 without one. */
  onClose(socket: RawSocket, code: number, reason: string): void;
}

export interface RawSocketOptions {
  host: string;
  port: number;
  path: string;
  localAddress?: string | undefined;
  headers: Readonly<Record<string, string>>;
}

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const NO_CLOSE_FRAME = 1006;
/** How long a client that sent its close frame waits for the server to close the connection. */
const CLOSE_WAIT_MS = 5_000;
const HEADER_END = Buffer.from("\r\n\r\n");
/** Every socket of a process reads into this one buffer: a read is handled before the next. */
const sharedReadBuffer = Buffer.allocUnsafe(256 * 1024);

/**
 * One client connection. Client frames must be masked (RFC 6455 §5.3); this one masks with an
 * all-zero key, which servers accept and which leaves the payload as it is: no copy, no XOR.
 * A real client would use a random key; a load generator talks only to its own server.
 */
export class RawSocket {
  /** What the caller attaches: the simulated user. */
  data: unknown;
  /** Set when a frame could not be parsed, or the upgrade was refused. */
  failure: string | undefined;
  /** The HTTP status of a refused upgrade. */
  refusedStatus: number | undefined;
  readonly #socket: Socket;
  readonly #handlers: RawSocketHandlers;
  #isOpen = false;
  #isClosed = false;
  /** Bytes of an incomplete frame (or of the upgrade answer) carried to the next read. */
  #pending: Buffer | undefined;
  /** Payload of a fragmented text message. */
  #fragments: Buffer[] | undefined;
  #closeCode = NO_CLOSE_FRAME;
  #closeReason = "";
  #isCloseSent = false;
  #closeTimer: NodeJS.Timeout | undefined;

  constructor(options: RawSocketOptions, handlers: RawSocketHandlers) {
    this.#handlers = handlers;
    const key = randomBytes(16).toString("base64");
    const lines = [
      `GET ${options.path} HTTP/1.1`,
      `Host: ${options.host}:${options.port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(options.headers).map(([name, value]) => `${name}: ${value}`),
    ];
    const request = `${lines.join("\r\n")}\r\n\r\n`;
    this.#socket = connect({
      host: options.host,
      port: options.port,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      noDelay: true,
      onread: {
        buffer: sharedReadBuffer,
        callback: (n, buffer) => this.#onRead(n, buffer as Buffer),
      },
    });
    this.#socket.on("connect", () => this.#socket.write(request));
    this.#socket.on("error", (error) => {
      this.failure ??= (error as NodeJS.ErrnoException).code ?? error.message;
    });
    this.#socket.on("close", () => this.#finish());
  }

  get isOpen(): boolean {
    return this.#isOpen && !this.#isClosed;
  }

  /** Sends one text frame (the string is JSON the caller built). */
  sendText(text: string): void {
    if (!this.isOpen) return;
    const length = Buffer.byteLength(text);
    const headerLength = length < 126 ? 6 : length < 65_536 ? 8 : 14;
    const frame = Buffer.allocUnsafe(headerLength + length);
    frame[0] = 0x80 | OP_TEXT;
    if (length < 126) {
      frame[1] = 0x80 | length;
    } else if (length < 65_536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeUInt32BE(0, 2);
      frame.writeUInt32BE(length, 6);
    }
    frame.writeUInt32BE(0, headerLength - 4);
    frame.write(text, headerLength, "utf8");
    this.#socket.write(frame);
  }

  /**
   * Starts the closing handshake and leaves the TCP close to the server (RFC 6455 §7.1.1): ending
   * our side at once made the gateway count about 2 % of such closes as 1006 under load.
   */
  close(code = 1000): void {
    if (!this.isOpen || this.#isCloseSent) {
      if (!this.isOpen) this.#socket.destroy();
      return;
    }
    this.#writeControl(OP_CLOSE, Buffer.from([code >> 8, code & 0xff]));
    this.#isCloseSent = true;
    this.#closeTimer = setTimeout(() => this.#socket.destroy(), CLOSE_WAIT_MS);
  }

  /** Drops the TCP connection without a close frame (the server sees 1006). */
  destroy(): void {
    this.#socket.destroy();
  }

  #onRead(length: number, buffer: Buffer): boolean {
    let bytes = buffer;
    let start = 0;
    let end = length;
    if (this.#pending !== undefined) {
      bytes = Buffer.concat([this.#pending, buffer.subarray(0, length)]);
      this.#pending = undefined;
      end = bytes.length;
    }
    if (!this.#isOpen) {
      start = this.#readUpgrade(bytes, end);
      if (start < 0) return true;
    }
    const consumed = this.#readFrames(bytes, start, end);
    if (consumed < end) this.#pending = Buffer.from(bytes.subarray(consumed, end));
    return true;
  }

  /** Where the frames start after the 101 answer; -1 while it is incomplete or was refused. */
  #readUpgrade(bytes: Buffer, end: number): number {
    const headerEnd = bytes.subarray(0, end).indexOf(HEADER_END);
    if (headerEnd < 0) {
      this.#pending = Buffer.from(bytes.subarray(0, end));
      return -1;
    }
    const statusLine = bytes.toString("latin1", 0, bytes.indexOf(13));
    const status = Number(statusLine.split(" ")[1]);
    if (status !== 101) {
      this.refusedStatus = status;
      this.failure = `http_${status}`;
      this.#socket.destroy();
      return -1;
    }
    this.#isOpen = true;
    this.#handlers.onOpen(this);
    return headerEnd + HEADER_END.length;
  }

  /** Handles every whole frame in `bytes[start, end)`; returns where the unhandled rest starts. */
  #readFrames(bytes: Buffer, start: number, end: number): number {
    let at = start;
    while (end - at >= 2 && !this.#isClosed) {
      const first = bytes[at] as number;
      const second = bytes[at + 1] as number;
      let length = second & 0x7f;
      let headerLength = 2;
      if (length === 126) {
        if (end - at < 4) break;
        length = bytes.readUInt16BE(at + 2);
        headerLength = 4;
      } else if (length === 127) {
        if (end - at < 10) break;
        length = bytes.readUInt32BE(at + 6);
        headerLength = 10;
      }
      if (second & 0x80) {
        this.#fail("server frames must not be masked");
        return end;
      }
      const payloadStart = at + headerLength;
      const payloadEnd = payloadStart + length;
      if (payloadEnd > end) break;
      this.#onFrame(first, bytes, payloadStart, payloadEnd);
      at = payloadEnd;
    }
    return at;
  }

  #onFrame(first: number, bytes: Buffer, start: number, end: number): void {
    const isFinal = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    switch (opcode) {
      case OP_TEXT:
        if (isFinal) this.#handlers.onText(this, bytes, start, end);
        else this.#fragments = [Buffer.from(bytes.subarray(start, end))];
        return;
      case OP_CONTINUATION: {
        if (this.#fragments === undefined) {
          this.#fail("continuation without a first frame");
          return;
        }
        this.#fragments.push(Buffer.from(bytes.subarray(start, end)));
        if (!isFinal) return;
        const whole = Buffer.concat(this.#fragments);
        this.#fragments = undefined;
        this.#handlers.onText(this, whole, 0, whole.length);
        return;
      }
      case OP_BINARY:
        return;
      case OP_PING:
        this.#writeControl(OP_PONG, Buffer.from(bytes.subarray(start, end)));
        return;
      case OP_PONG:
        return;
      case OP_CLOSE:
        this.#closeCode = end - start >= 2 ? bytes.readUInt16BE(start) : 1005;
        this.#closeReason = bytes.toString("utf8", start + 2, end);
        if (!this.#isCloseSent) {
          this.#writeControl(
            OP_CLOSE,
            Buffer.from(bytes.subarray(start, Math.min(end, start + 2))),
          );
          this.#isCloseSent = true;
        }
        this.#socket.end();
        return;
      default:
        this.#fail(`unknown opcode ${opcode}`);
    }
  }

  #writeControl(opcode: number, payload: Buffer): void {
    if (this.#socket.destroyed || !this.#socket.writable) return;
    const frame = Buffer.alloc(6 + payload.length);
    frame[0] = 0x80 | opcode;
    frame[1] = 0x80 | payload.length;
    payload.copy(frame, 6);
    this.#socket.write(frame);
  }

  #fail(why: string): void {
    this.failure ??= why;
    this.#socket.destroy();
  }

  #finish(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    clearTimeout(this.#closeTimer);
    const wasOpen = this.#isOpen;
    this.#isOpen = false;
    if (wasOpen || this.failure !== undefined) {
      this.#handlers.onClose(this, this.#closeCode, this.#closeReason);
    } else {
      this.failure = "closed_before_upgrade";
      this.#handlers.onClose(this, NO_CLOSE_FRAME, "");
    }
  }
}
