import * as v from "valibot";
import { LIMITS } from "./codes.ts";
import { clip, expected } from "./messages.ts";

// Every issue carries a message that names the field and states the contract, so the codec can
// hand `issues[0].message` to the client as is.
function uuidField(field: string) {
  const message = expected(field, "a uuid string");
  return v.pipe(v.string(message), v.uuid(message));
}

function boundedString(field: string, minLength: number, maxLength: number) {
  const message = expected(field, `a string of ${minLength} to ${maxLength} characters`);
  return v.pipe(
    v.string(message),
    v.minLength(minLength, message),
    v.maxLength(maxLength, message),
  );
}

function integerAtLeast(field: string, min: number) {
  const message = expected(field, `an integer >= ${min}`);
  return v.pipe(v.number(message), v.safeInteger(message), v.minValue(min, message));
}

const ref = v.optional(boundedString("ref", 1, LIMITS.maxRefLength));
const group = uuidField("group");

/** Names an absent required field or the first unknown one (`__proto__` included). */
function keyIssueMessage(issue: v.StrictObjectIssue): string {
  const key = issue.path?.[0]?.key;
  const name = JSON.stringify(typeof key === "string" ? clip(key) : String(key));
  return issue.expected === "never" ? `unknown field ${name}` : `missing field ${name}`;
}

function frame<const TType extends string, const TEntries extends v.ObjectEntries>(
  type: TType,
  entries: TEntries,
) {
  return v.strictObject({ type: v.literal(type), ...entries, ref }, keyIssueMessage);
}

export const JoinFrameSchema = frame("join", {
  group,
  epoch: v.optional(boundedString("epoch", 1, LIMITS.maxEpochLength)),
  afterSeq: v.optional(integerAtLeast("afterSeq", 0)),
});

export const LeaveFrameSchema = frame("leave", { group });

export const SendFrameSchema = frame("send", {
  group,
  // Only the frame limit here: the text rules are `normalizeText`, reported as `text_invalid`.
  text: v.pipe(
    v.string(expected("text", "a string")),
    v.maxLength(
      LIMITS.maxFrameBytes,
      expected("text", `a string of at most ${LIMITS.maxFrameBytes} characters`),
    ),
  ),
  key: boundedString("key", 1, LIMITS.maxKeyLength),
  mentions: v.optional(
    v.pipe(
      v.array(uuidField("mentions[]"), expected("mentions", "an array of uuid strings")),
      v.maxLength(
        LIMITS.maxMentions,
        expected("mentions", `an array of at most ${LIMITS.maxMentions} uuid strings`),
      ),
    ),
  ),
  /** Message actions: the message this one replies to. */
  replyTo: v.optional(uuidField("replyTo")),
});

const messageId = uuidField("id");

/** Message actions: the author, or the group's creator, removes a message. */
export const UnsendFrameSchema = frame("unsend", { group, id: messageId });

/** Message actions: the author changes a message's text (the text rules are `normalizeText`). */
export const EditFrameSchema = frame("edit", {
  group,
  id: messageId,
  text: SendFrameSchema.entries.text,
});

/** Message actions: a reaction on or off; `isOneEmoji` is the rule beyond the length. */
export const ReactFrameSchema = frame("react", {
  group,
  id: messageId,
  emoji: boundedString("emoji", 1, LIMITS.maxEmojiBytes),
  on: v.boolean(expected("on", "a boolean")),
});

export const ReadFrameSchema = frame("read", { group, seq: integerAtLeast("seq", 0) });

export const TypingStartFrameSchema = frame("typing_start", { group });

export const TypingStopFrameSchema = frame("typing_stop", { group });

export const HeartbeatFrameSchema = frame("heartbeat", {
  idle: v.optional(v.boolean(expected("idle", "a boolean"))),
});

const clientFrameSchemas = [
  JoinFrameSchema,
  LeaveFrameSchema,
  SendFrameSchema,
  TypingStartFrameSchema,
  TypingStopFrameSchema,
  HeartbeatFrameSchema,
  ReadFrameSchema,
  UnsendFrameSchema,
  EditFrameSchema,
  ReactFrameSchema,
] as const;

/** Everything a client may send, one schema per frame, discriminated by `type`. */
export const ClientFrameSchema = v.variant("type", clientFrameSchemas);

export type JoinFrame = v.InferOutput<typeof JoinFrameSchema>;
export type LeaveFrame = v.InferOutput<typeof LeaveFrameSchema>;
export type SendFrame = v.InferOutput<typeof SendFrameSchema>;
export type TypingStartFrame = v.InferOutput<typeof TypingStartFrameSchema>;
export type TypingStopFrame = v.InferOutput<typeof TypingStopFrameSchema>;
export type HeartbeatFrame = v.InferOutput<typeof HeartbeatFrameSchema>;
export type ReadFrame = v.InferOutput<typeof ReadFrameSchema>;
export type UnsendFrame = v.InferOutput<typeof UnsendFrameSchema>;
export type EditFrame = v.InferOutput<typeof EditFrameSchema>;
export type ReactFrame = v.InferOutput<typeof ReactFrameSchema>;
export type ClientFrame = v.InferOutput<typeof ClientFrameSchema>;
export type ClientFrameType = ClientFrame["type"];
