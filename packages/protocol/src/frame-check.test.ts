import assert from "node:assert/strict";
import { test } from "node:test";
import * as v from "valibot";
import { ClientFrameSchema } from "./client-frames.ts";
import { decodeClientFrame } from "./codec.ts";
import { LIMITS } from "./codes.ts";
import { compileFrameCheck, matchesFrameCheck } from "./frame-check.ts";
import { mulberry32, pick, type Random, randomInt, randomUuid } from "./testing/random.ts";

const SEED = 0xc0ffee;
const OBJECTS = 20_000;

const TYPES = ["join", "leave", "send", "typing_start", "typing_stop", "heartbeat", "read", "nope"];
const EXTRA_KEYS = ["extra", "__proto__", "constructor", "prototype", "toString", "Type", ""];

function lengthAround(random: Random, limit: number): number {
  return pick(random, [0, 1, 2, limit - 1, limit, limit + 1, randomInt(random, limit * 2)]);
}

function anyValue(random: Random): unknown {
  return pick(random, [
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    2 ** 53,
    "",
    "x",
    randomUuid(random),
    [],
    {},
    { type: "join" },
    [randomUuid(random)],
  ]);
}

/** Mostly plausible values for a key, so that both verdicts come up often. */
function valueFor(random: Random, key: string): unknown {
  if (random() < 0.15) return anyValue(random);
  switch (key) {
    case "group": {
      const uuid = randomUuid(random);
      return pick(random, [
        uuid,
        uuid.toUpperCase(),
        uuid.slice(1),
        `${uuid}a`,
        uuid.replace("-", "g"),
      ]);
    }
    case "text":
      return "t".repeat(pick(random, [0, 1, 50, LIMITS.maxFrameBytes, LIMITS.maxFrameBytes + 1]));
    case "key":
      return "k".repeat(lengthAround(random, LIMITS.maxKeyLength));
    case "ref":
      return "r".repeat(lengthAround(random, LIMITS.maxRefLength));
    case "epoch":
      return "e".repeat(lengthAround(random, LIMITS.maxEpochLength));
    case "mentions": {
      const uuid = randomUuid(random);
      const many = Array.from({ length: lengthAround(random, LIMITS.maxMentions) }, () => uuid);
      return pick(random, [[], [uuid], [uuid, uuid.slice(1)], [uuid, 7], many, uuid]);
    }
    case "afterSeq":
    case "seq":
      return pick(random, [0, 1, 499, -1, 0.5, 2 ** 53 - 1, 2 ** 53, -0]);
    case "idle":
      return pick(random, [true, false, "true", 1]);
    default:
      return anyValue(random);
  }
}

function randomFrameText(random: Random): string {
  const type = pick(random, TYPES);
  const schema = ClientFrameSchema.options.find((option) => option.entries.type.literal === type);
  const keys = Object.keys(schema?.entries ?? { group: null, ref: null });
  const entries: string[] = [];
  if (random() < 0.97) entries.push(`"type":${JSON.stringify(type)}`);
  for (const key of keys) {
    if (key !== "type" && random() < 0.85) {
      entries.push(`${JSON.stringify(key)}:${JSON.stringify(valueFor(random, key))}`);
    }
  }
  if (random() < 0.1) {
    const extra = pick(random, EXTRA_KEYS);
    entries.splice(randomInt(random, entries.length + 1), 0, `${JSON.stringify(extra)}:1`);
  }
  return `{${entries.join(",")}}`;
}

test("the compiled checks agree with valibot on every client frame schema", () => {
  const random = mulberry32(SEED);
  const checks = ClientFrameSchema.options.map((schema) => ({
    schema,
    check: compileFrameCheck(schema),
  }));
  const verdicts = { accepted: 0, rejected: 0 };
  for (let i = 0; i < OBJECTS; i++) {
    const text = randomFrameText(random);
    for (const { schema, check } of checks) {
      const input = JSON.parse(text) as Record<string, unknown>;
      const expected = v.safeParse(schema, input).success;
      assert.equal(
        matchesFrameCheck(check, input),
        expected,
        `${schema.entries.type.literal}: ${text}`,
      );
      verdicts[expected ? "accepted" : "rejected"]++;
    }
  }
  // Both answers must come up often, or the agreement proves little.
  assert.ok(verdicts.accepted > 2_000, `only ${verdicts.accepted} accepted`);
  assert.ok(verdicts.rejected > 10_000, `only ${verdicts.rejected} rejected`);
});

test("decodeClientFrame accepts exactly what the client variant accepts, with the same output", () => {
  const random = mulberry32(SEED + 1);
  for (let i = 0; i < OBJECTS; i++) {
    const text = randomFrameText(random);
    const expected = v.safeParse(ClientFrameSchema, JSON.parse(text));
    const result = decodeClientFrame(text);
    assert.equal(result.ok, expected.success, text);
    if (result.ok && expected.success) assert.deepEqual(result.frame, expected.output, text);
  }
});

test("compiling refuses what it cannot check, so the check cannot drift from the schema", () => {
  const type = v.literal("x");
  const unsupported = [
    v.object({ type }),
    v.strictObject({ type, email: v.pipe(v.string(), v.email()) }),
    v.strictObject({ type, nested: v.strictObject({ a: v.string() }) }),
    v.strictObject({ type, list: v.array(v.array(v.string())) }),
    v.strictObject({ type, list: v.pipe(v.array(v.string()), v.minLength(1)) }),
    v.strictObject({ type, maybe: v.nullable(v.string()) }),
    v.strictObject({ type, size: v.pipe(v.number(), v.maxValue(3)) }),
    v.strictObject({ type, count: v.pipe(v.string(), v.minValue("a")) }),
    v.strictObject({ type, name: v.pipe(v.string(), v.trim()) }),
  ];
  for (const schema of unsupported) {
    assert.throws(() => compileFrameCheck(schema), /compileFrameCheck/);
  }
});
