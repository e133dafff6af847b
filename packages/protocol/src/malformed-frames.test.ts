import assert from "node:assert/strict";
import { test } from "node:test";
import { ClientFrameSchema } from "./client-frames.ts";
import { type DecodeClientResult, decodeClientFrame, encode } from "./codec.ts";
import { LIMITS } from "./codes.ts";
import { mulberry32, pick, type Random, randomInt, randomUuid } from "./testing/random.ts";
import { sampleClientFrames } from "./testing/sample-frames.ts";

// Seeded, so a failure names an input that replays exactly.
const SEED = 0x5eed_c10f;
const CASES_PER_KIND = 250;

interface MalformedCase {
  kind: string;
  text: string;
  /** The ref the error must carry, if any. */
  ref?: string;
  /** What the message must say, when the kind determines it. */
  message?: RegExp;
}

function decodeWithoutThrowing(text: string): DecodeClientResult {
  try {
    return decodeClientFrame(text);
  } catch (error) {
    return assert.fail(`decodeClientFrame threw on ${JSON.stringify(text)}: ${String(error)}`);
  }
}

/** Text spliced into JSON as is, for values JSON.stringify cannot produce, like 1e999. */
class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text from key/value pairs, so `__proto__` becomes an own key as it does off the wire. */
function objectText(entries: readonly (readonly [string, unknown])[]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${valueText(value)}`).join(",")}}`;
}

function valueText(value: unknown): string {
  return value instanceof RawJson ? value.text : JSON.stringify(value);
}

function validRefOf(entries: readonly (readonly [string, unknown])[]): string | undefined {
  const ref = entries.findLast(([key]) => key === "ref")?.[1];
  return typeof ref === "string" && ref.length >= 1 && ref.length <= LIMITS.maxRefLength
    ? ref
    : undefined;
}

function sampleEntries(random: Random): [string, unknown][] {
  const frame = pick(random, sampleClientFrames);
  const entries: [string, unknown][] = Object.entries(frame);
  if (random() < 0.7 && !entries.some(([key]) => key === "ref")) {
    entries.push(["ref", `r${randomInt(random, 10_000)}`]);
  }
  return entries;
}

function randomString(random: Random, maxLength: number): string {
  const alphabet = 'abcXYZ019 {}[]":,\\\u0000\u00e9\u2028😀';
  const chars = [...alphabet];
  let text = "";
  const length = randomInt(random, maxLength + 1);
  for (let i = 0; i < length; i++) text += pick(random, chars);
  return text;
}

function nestedGarbage(random: Random, depth: number): unknown {
  if (depth === 0) return pick(random, [0, -1, 1.5, "", "x", true, null]);
  return random() < 0.5
    ? [nestedGarbage(random, depth - 1), nestedGarbage(random, depth - 1)]
    : { a: nestedGarbage(random, depth - 1), __proto__x: nestedGarbage(random, depth - 1) };
}

/** Values that are wrong for the given field, whatever the frame type. */
function wrongValueFor(random: Random, key: string): unknown {
  // An empty array is a valid `mentions`.
  const common: unknown[] = [null, ...(key === "mentions" ? [] : [[]]), {}, ["x"], { x: 1 }];
  common.push(nestedGarbage(random, 3));
  const byKey: Record<string, unknown[]> = {
    type: [7, true, "JOIN", "join ", "", "heartbeat\u0000"],
    group: ["", "7c1", "not-a-uuid", `${randomUuid(random)}0`, ` ${randomUuid(random)}`, 42],
    text: [42, false, "x".repeat(LIMITS.maxFrameBytes + 1)],
    key: ["", "k".repeat(LIMITS.maxKeyLength + 1 + randomInt(random, 200)), 42, true],
    ref: ["", "r".repeat(LIMITS.maxRefLength + 1 + randomInt(random, 200)), 42, false],
    epoch: ["", "e".repeat(LIMITS.maxEpochLength + 1 + randomInt(random, 100)), 3, true],
    afterSeq: [-1, 1.5, "3", true, Number.MAX_SAFE_INTEGER + 2, new RawJson("1e999")],
    idle: ["true", 1, 0, "yes"],
    on: ["true", 1, 0, "yes"],
    id: ["", "m1", 42, `${randomUuid(random)}0`],
    replyTo: ["", "m1", 42],
    emoji: ["", 42, true, "x".repeat(LIMITS.maxEmojiBytes + 1)],
  };
  return pick(random, [...(byKey[key] ?? []), ...common]);
}

function knownKeys(type: unknown): readonly string[] {
  const schema = ClientFrameSchema.options.find((option) => option.entries.type.literal === type);
  return schema ? Object.keys(schema.entries) : [];
}

const generators: Record<string, (random: Random) => MalformedCase> = {
  "bad JSON": (random) => {
    const valid = encode(pick(random, sampleClientFrames));
    const text = pick(random, [
      pick(random, ["!", "{x", "[,", "'", "tru ", "nul "]) + randomString(random, 40),
      valid.replace('"', "'"),
      valid.replace(/}$/, ",,}"),
      valid.replace(":", ":NaN,"),
      `${valid}${pick(random, ["x", "}", ",{}", "[]"])}`,
      "{type:join}",
      "undefined",
      "{'type':'heartbeat'}",
    ]);
    return { kind: "bad JSON", text, message: /^not JSON$/ };
  },
  "truncated JSON": (random) => {
    const valid = encode(pick(random, sampleClientFrames));
    const text = valid.slice(0, randomInt(random, valid.length));
    return { kind: "truncated JSON", text, message: /^not JSON$/ };
  },
  "non-object JSON": (random) => {
    const text = pick(random, [
      "null",
      "true",
      "0",
      "-1.5e3",
      '"join"',
      "[]",
      `[${encode(pick(random, sampleClientFrames))}]`,
      `[${JSON.stringify(nestedGarbage(random, 4))}]`,
    ]);
    return { kind: "non-object JSON", text, message: /^expected an object$/ };
  },
  "wrong field type": (random) => {
    const entries = sampleEntries(random);
    const index = randomInt(random, entries.length);
    const [key] = entries[index] ?? ["type"];
    entries[index] = [key, wrongValueFor(random, key)];
    return { kind: "wrong field type", text: objectText(entries), ref: validRefOf(entries) };
  },
  "missing required field": (random) => {
    const frame = pick(
      random,
      sampleClientFrames.filter((f) => f.type !== "heartbeat"),
    );
    const entries: [string, unknown][] = Object.entries(frame);
    const [missing] = pick(
      random,
      entries.filter(([key]) => ["group", "text", "key"].includes(key)),
    );
    const kept = entries.filter(([key]) => key !== missing);
    return {
      kind: "missing required field",
      text: objectText(kept),
      ref: validRefOf(kept),
      message: new RegExp(`^missing field "${missing}"$`),
    };
  },
  "missing type": (random) => {
    const entries = sampleEntries(random).filter(([key]) => key !== "type");
    return {
      kind: "missing type",
      text: objectText(entries),
      ref: validRefOf(entries),
      message: /^expected type to be a string$/,
    };
  },
  "unknown type": (random) => {
    const type = pick(random, [
      randomString(random, 20),
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "hasOwnProperty",
      "JOIN",
      "join ",
      "typing",
      "hello",
      "ack",
      "x".repeat(1_000),
    ]);
    const entries = sampleEntries(random).map(([key, value]): [string, unknown] =>
      key === "type" ? ["type", type] : [key, value],
    );
    return {
      kind: "unknown type",
      text: objectText(entries),
      ref: validRefOf(entries),
      message: /^unknown type "/,
    };
  },
  "oversize string": (random) => {
    const entries = sampleEntries(random);
    const limits: Record<string, number> = {
      ref: LIMITS.maxRefLength,
      key: LIMITS.maxKeyLength,
      epoch: LIMITS.maxEpochLength,
      text: LIMITS.maxFrameBytes,
      group: 36,
    };
    const present = entries.map(([key]) => key).filter((key) => key in limits);
    const target = pick(random, ["ref", ...present]);
    const value = "a".repeat((limits[target] ?? 0) + 1 + randomInt(random, 100));
    const mutated = entries.filter(([key]) => key !== target);
    mutated.push([target, value]);
    return { kind: "oversize string", text: objectText(mutated), ref: validRefOf(mutated) };
  },
  "extra key": (random) => {
    const entries = sampleEntries(random);
    const picked = pick(random, ["extra", "Type", "refs", "groupId", "", " ", "é", "idle", "text"]);
    const type = entries.find(([key]) => key === "type")?.[1];
    const key = knownKeys(type).includes(picked) ? "surplus" : picked;
    entries.splice(randomInt(random, entries.length + 1), 0, [key, nestedGarbage(random, 2)]);
    return {
      kind: "extra key",
      text: objectText(entries),
      ref: validRefOf(entries),
      message: new RegExp(`^unknown field ${escapeRegExp(JSON.stringify(key))}$`),
    };
  },
  "prototype key": (random) => {
    const entries = sampleEntries(random);
    const key = pick(random, ["__proto__", "constructor", "prototype"]);
    const value = pick(random, [{ type: "heartbeat" }, { isAdmin: true }, 1, null, "x", []]);
    entries.splice(randomInt(random, entries.length + 1), 0, [key, value]);
    return {
      kind: "prototype key",
      text: objectText(entries),
      ref: validRefOf(entries),
      message: new RegExp(`^unknown field "${key}"$`),
    };
  },
  "nested garbage": (random) => {
    const entries = sampleEntries(random);
    const index = randomInt(random, entries.length);
    const [key] = entries[index] ?? ["group"];
    entries[index] = [key, nestedGarbage(random, 1 + randomInt(random, 6))];
    return { kind: "nested garbage", text: objectText(entries), ref: validRefOf(entries) };
  },
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test(`${Object.keys(generators).length * CASES_PER_KIND} seeded malformed frames are all rejected`, () => {
  const random = mulberry32(SEED);
  let checked = 0;
  for (const [kind, generate] of Object.entries(generators)) {
    for (let i = 0; i < CASES_PER_KIND; i++) {
      const malformed = generate(random);
      const result = decodeWithoutThrowing(malformed.text);
      const where = `${kind} #${i}: ${JSON.stringify(malformed.text.slice(0, 300))}`;
      assert.equal(result.ok, false, `accepted ${where}`);
      if (result.ok) continue;
      assert.equal(result.code, "invalid_frame", where);
      assert.equal(typeof result.message, "string", where);
      assert.ok(result.message.length > 0 && result.message.length < 200, where);
      assert.equal(result.ref, malformed.ref, `ref of ${where}`);
      if (malformed.message) assert.match(result.message, malformed.message, where);
      checked++;
    }
  }
  assert.equal(checked, Object.keys(generators).length * CASES_PER_KIND);
  assert.ok(checked >= 2_000);
});
