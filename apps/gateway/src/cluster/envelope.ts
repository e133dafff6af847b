// Room events on NATS: the owner's frame text behind a header line a relay reads without parsing
// the frame, `<node> <incarnation> <seq> <sentAtMs> <except>`, two fields longer when a reply
// rides along (docs/DECISIONS.md, "A forwarded send's reply rides on the room event").

export interface RoomEvent {
  /** The owner that published it, and its incarnation: a new publisher starts a new sequence. */
  node: string;
  incarnation: string;
  /** One more than the owner's previous event in this room: a relay that sees a jump missed some. */
  seq: number;
  /** The owner's wall clock when it published: the relay's lag. */
  sentAtMs: number;
  /** The connection the event must not reach (what it did itself), or "". */
  except: string;
  text: string;
  /** A reply riding along: the request's reply subject and the reply's text. */
  reply?: { to: string; text: string } | undefined;
}

export function encodeRoomEvent(event: RoomEvent): string {
  const { node, incarnation, seq, sentAtMs, except } = event;
  return `${node} ${incarnation} ${seq} ${sentAtMs} ${except}\n${event.text}`;
}

/** The event encoded in `data` with `reply` riding along; undefined if it carries one already. */
export function withReply(data: string, to: string, text: string): string | undefined {
  const end = data.indexOf("\n");
  if (end === -1 || data.slice(0, end).split(" ").length !== 5) return undefined;
  const encoded = Buffer.from(text).toString("base64url");
  return `${data.slice(0, end)} ${to} ${encoded}${data.slice(end)}`;
}

export function decodeRoomEvent(data: string): RoomEvent | undefined {
  const end = data.indexOf("\n");
  if (end === -1) return undefined;
  const [node, incarnation, seq, sentAtMs, except, replyTo, reply] = data.slice(0, end).split(" ");
  if (node === undefined || incarnation === undefined || seq === undefined) return undefined;
  return {
    node,
    incarnation,
    seq: Number(seq),
    sentAtMs: Number(sentAtMs),
    except: except ?? "",
    text: data.slice(end + 1),
    reply:
      replyTo === undefined || reply === undefined
        ? undefined
        : { to: replyTo, text: Buffer.from(reply, "base64url").toString() },
  };
}

/** What an owner tells one of another node's sockets, or does to it. */
export type Delivery =
  /** A frame for that socket alone (a `group_state`, an unsolicited error). */
  | { connId: string; send: string }
  /**
   * The room took the socket in: it hears the room's events from now on, the next one being
   * `seq + 1` from `from` (`<node> <incarnation>`), so that a relay can tell a lost one.
   */
  | { connId: string; subscribe: string; from: string; seq: number }
  /** The room let the socket go (leave, kick, group deleted, room given up). */
  | { connId: string; unsubscribe: string };

/** A group presence event: `<node>\n<frame>`, so a node skips what it published itself. */
export function encodeGroupEvent(node: string, text: string): string {
  return `${node}\n${text}`;
}

export function decodeGroupEvent(data: string): { node: string; text: string } | undefined {
  const end = data.indexOf("\n");
  return end === -1 ? undefined : { node: data.slice(0, end), text: data.slice(end + 1) };
}
