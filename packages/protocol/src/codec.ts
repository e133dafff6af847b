import * as v from "valibot";
import { type ClientFrame, ClientFrameSchema } from "./client-frames.ts";
import { LIMITS } from "./codes.ts";
import { compileFrameCheck, matchesFrameCheck } from "./frame-check.ts";
import { clip } from "./messages.ts";
import { type ServerFrame, ServerFrameSchema } from "./server-frames.ts";
import type { Message } from "./server-shapes.ts";

type ServerFrameSchemaOption = (typeof ServerFrameSchema.options)[number];

export type DecodeClientResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: "invalid_frame"; message: string; ref?: string };

export type DecodeServerResult =
  | { ok: true; frame: ServerFrame }
  /** A frame type this version does not know: clients must ignore it. */
  | { ok: false; code: "unknown_type"; type: string; message: string }
  | { ok: false; code: "invalid_frame"; message: string };

// Only the first issue is reported, so stop at it.
const FIRST_ISSUE_ONLY = { abortEarly: true } as const;

const CLIENT_DECODERS = ClientFrameSchema.options.map((schema) => ({
  type: schema.entries.type.literal,
  schema,
  check: compileFrameCheck(schema),
}));

// `type` → schema. Without a prototype, so a `type` of "__proto__" or "constructor" finds nothing.
const SERVER_SCHEMAS: Record<string, ServerFrameSchemaOption | undefined> = Object.create(null);
for (const schema of ServerFrameSchema.options) {
  SERVER_SCHEMAS[schema.entries.type.literal] = schema;
}

/**
 * Parses and validates one client frame. Never throws: anything wrong is an `invalid_frame`
 * result whose message says what, with the frame's `ref` when it had a valid one.
 * Message text rules are not applied here; see `normalizeText`.
 */
export function decodeClientFrame(text: string): DecodeClientResult {
  const input = parseObject(text);
  if (typeof input === "string") return { ok: false, code: "invalid_frame", message: input };
  const type = input.type;
  if (typeof type !== "string") return invalidClientFrame(input, "expected type to be a string");
  const decoder = findClientDecoder(type);
  if (decoder === undefined) return invalidClientFrame(input, `unknown type ${quote(type)}`);
  // The parsed object itself becomes the frame: the check admits only the schema's own keys.
  if (matchesFrameCheck(decoder.check, input)) return { ok: true, frame: input };
  const result = v.safeParse(decoder.schema, input, FIRST_ISSUE_ONLY);
  if (result.success) return { ok: true, frame: result.output };
  return invalidClientFrame(input, result.issues[0].message);
}

/**
 * Parses a server frame for a client. Lenient as PROTOCOL.md asks: unknown fields are dropped,
 * and an unknown `type` is reported as `unknown_type` so the caller can ignore it.
 */
export function decodeServerFrame(text: string): DecodeServerResult {
  const input = parseObject(text);
  if (typeof input === "string") return { ok: false, code: "invalid_frame", message: input };
  const type = input.type;
  if (typeof type !== "string") {
    return { ok: false, code: "invalid_frame", message: "expected type to be a string" };
  }
  const schema = SERVER_SCHEMAS[type];
  if (schema === undefined) {
    return { ok: false, code: "unknown_type", type, message: `unknown type ${quote(type)}` };
  }
  const result = v.safeParse(schema, input, FIRST_ISSUE_ONLY);
  if (result.success) return { ok: true, frame: result.output };
  const [issue] = result.issues;
  const path = v.getDotPath(issue);
  return {
    ok: false,
    code: "invalid_frame",
    message: path === null ? issue.message : `${path}: ${issue.message}`,
  };
}

/** Serializes a frame as JSON with `type` as the first key. */
export function encode(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(Object.assign({ type: frame.type }, frame));
}

/**
 * `encode({ type: "message", ...message })`, byte for byte, for the hot path: a template with
 * `JSON.stringify` on the strings only. The fields must stay in `MessageSchema`'s order.
 */
export function encodeMessage(message: Message): string {
  return `{"type":"message","id":${JSON.stringify(message.id)},"group":${JSON.stringify(message.group)},"seq":${message.seq},"userId":${JSON.stringify(message.userId)},"displayName":${JSON.stringify(message.displayName)},"text":${JSON.stringify(message.text)},"ts":${message.ts},"key":${JSON.stringify(message.key)},"mentions":${message.mentions.length === 0 ? "[]" : JSON.stringify(message.mentions)},"reactions":${hasKeys(message.reactions) ? JSON.stringify(message.reactions) : "{}"}${message.replyTo === undefined ? "" : `,"replyTo":${JSON.stringify(message.replyTo)}`}${message.editedAt === undefined ? "" : `,"editedAt":${message.editedAt}`}}`;
}

function hasKeys(record: object): boolean {
  for (const _ in record) return true;
  return false;
}

/** `encode({ type: "ack", ref, id, ts })`, byte for byte: the reply to a `send`. */
export function encodeSendAck(ref: string, id: string, ts: number): string {
  return `{"type":"ack","ref":${JSON.stringify(ref)},"id":${JSON.stringify(id)},"ts":${ts}}`;
}

/** The parsed object, or a message saying why the text is not one. */
function parseObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Any throw here (SyntaxError, or a non-string from untyped callers) means "not JSON".
    return "not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "expected an object";
  }
  return value as Record<string, unknown>;
}

function invalidClientFrame(input: Record<string, unknown>, message: string): DecodeClientResult {
  const ref = input.ref;
  return typeof ref === "string" && ref.length >= 1 && ref.length <= LIMITS.maxRefLength
    ? { ok: false, code: "invalid_frame", message, ref }
    : { ok: false, code: "invalid_frame", message };
}

function quote(text: string): string {
  return JSON.stringify(clip(text));
}

// Ten types: a scan, mostly comparing lengths, measured faster than hashing the parsed string.
function findClientDecoder(type: string): (typeof CLIENT_DECODERS)[number] | undefined {
  for (let i = 0; i < CLIENT_DECODERS.length; i++) {
    const decoder = CLIENT_DECODERS[i];
    if (decoder?.type === type) return decoder;
  }
  return undefined;
}
