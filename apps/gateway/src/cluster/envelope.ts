// Room events on NATS: the owner's frame text behind a header line a relay reads without parsing
// the frame, `<node> <incarnation> <seq> <sentAtMs> <except>`. A riding reply adds its subject as
// a sixth field and its text as a line of its own before the frame: `… <except> <to>\n<reply>\n`
// (docs/DECISIONS.md, "A forwarded send's reply rides on the room event"). The reply is JSON from
// JSON.stringify, which never holds a raw newline.

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
  const except = exceptAt(data, end);
  if (except === -1 || data.lastIndexOf(" ", end) >= except) return undefined;
  return `${data.slice(0, end)} ${to}\n${text}${data.slice(end)}`;
}

export function decodeRoomEvent(data: string): RoomEvent | undefined {
  const end = data.indexOf("\n");
  const except = exceptAt(data, end);
  if (except === -1) return undefined;
  const afterNode = data.indexOf(" ");
  const afterIncarnation = data.indexOf(" ", afterNode + 1);
  const afterSeq = data.indexOf(" ", afterIncarnation + 1);
  const afterExcept = data.indexOf(" ", except);
  const hasReply = afterExcept !== -1 && afterExcept < end;
  const textAt = hasReply ? data.indexOf("\n", end + 1) + 1 : end + 1;
  if (textAt === 0) return undefined;
  return {
    node: data.slice(0, afterNode),
    incarnation: data.slice(afterNode + 1, afterIncarnation),
    seq: Number(data.slice(afterIncarnation + 1, afterSeq)),
    sentAtMs: Number(data.slice(afterSeq + 1, except - 1)),
    except: data.slice(except, hasReply ? afterExcept : end),
    text: data.slice(textAt),
    reply: hasReply
      ? { to: data.slice(afterExcept + 1, end), text: data.slice(end + 1, textAt - 1) }
      : undefined,
  };
}

/** Where the header's fifth field (`except`) starts; -1 without a header of five fields. */
function exceptAt(data: string, end: number): number {
  if (end === -1) return -1;
  let space = -1;
  for (let field = 1; field < 5; field++) {
    space = data.indexOf(" ", space + 1);
    if (space === -1 || space > end) return -1;
  }
  return space + 1;
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
