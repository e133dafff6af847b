import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ClientFrameSchema } from "./client-frames.ts";
import { decodeClientFrame, decodeServerFrame, encode } from "./codec.ts";
import { ServerFrameSchema } from "./server-frames.ts";
import {
  GROUP_ID,
  sampleClientFrames,
  sampleMessage,
  sampleServerFrames,
} from "./testing/sample-frames.ts";

function typesOf(schema: { options: readonly { entries: { type: { literal: string } } }[] }) {
  return new Set(schema.options.map((option) => option.entries.type.literal));
}

function rejection(text: string) {
  const result = decodeClientFrame(text);
  assert.equal(result.ok, false, `expected ${text} to be rejected`);
  return result.ok ? assert.fail() : result;
}

describe("encode", () => {
  test("puts type first, whatever order the frame was built in", () => {
    const text = encode({ ref: "7", group: GROUP_ID, type: "leave" });
    assert.equal(text, `{"type":"leave","ref":"7","group":"${GROUP_ID}"}`);
    assert.ok(encode({ ts: 1, type: "heartbeat_ack" }).startsWith('{"type":"heartbeat_ack"'));
  });

  test("puts type first for every sample frame", () => {
    for (const frame of [...sampleClientFrames, ...sampleServerFrames]) {
      assert.ok(encode(frame).startsWith(`{"type":"${frame.type}"`), frame.type);
    }
  });
});

describe("client frames", () => {
  test("the samples cover every client frame type", () => {
    assert.deepEqual(new Set(sampleClientFrames.map((f) => f.type)), typesOf(ClientFrameSchema));
  });

  test("every client frame round-trips through encode and decodeClientFrame", () => {
    for (const frame of sampleClientFrames) {
      assert.deepEqual(decodeClientFrame(encode(frame)), { ok: true, frame });
    }
  });

  test("names the field and the contract", () => {
    const cases: [string, string][] = [
      ['{"type":"join","group":42}', "expected group to be a uuid string"],
      ['{"type":"join","group":"7c1"}', "expected group to be a uuid string"],
      [`{"type":"send","group":"${GROUP_ID}","text":5,"key":"k"}`, "expected text to be a string"],
      [
        `{"type":"send","group":"${GROUP_ID}","text":"hi","key":""}`,
        "expected key to be a string of 1 to 64 characters",
      ],
      [
        `{"type":"join","group":"${GROUP_ID}","afterSeq":1.5}`,
        "expected afterSeq to be an integer >= 0",
      ],
      [
        `{"type":"join","group":"${GROUP_ID}","afterSeq":-1}`,
        "expected afterSeq to be an integer >= 0",
      ],
      [
        `{"type":"join","group":"${GROUP_ID}","epoch":""}`,
        "expected epoch to be a string of 1 to 64 characters",
      ],
      ['{"type":"heartbeat","idle":"yes"}', "expected idle to be a boolean"],
      [
        `{"type":"send","group":"${GROUP_ID}","text":"hi","key":"k","mentions":"x"}`,
        "expected mentions to be an array of uuid strings",
      ],
      [
        `{"type":"send","group":"${GROUP_ID}","text":"hi","key":"k","mentions":["x"]}`,
        "expected mentions[] to be a uuid string",
      ],
      [
        `{"type":"send","group":"${GROUP_ID}","text":"hi","key":"k","mentions":${JSON.stringify(Array(21).fill(GROUP_ID))}}`,
        "expected mentions to be an array of at most 20 uuid strings",
      ],
      [`{"type":"read","group":"${GROUP_ID}","seq":-1}`, "expected seq to be an integer >= 0"],
      [`{"type":"read","group":"${GROUP_ID}"}`, 'missing field "seq"'],
      ['{"type":"leave"}', 'missing field "group"'],
      [`{"type":"leave","group":"${GROUP_ID}","room":1}`, 'unknown field "room"'],
      ['{"type":"foo"}', 'unknown type "foo"'],
      ['{"type":"Join"}', 'unknown type "Join"'],
      ['{"group":"x"}', "expected type to be a string"],
      ['{"type":7}', "expected type to be a string"],
      ["{nope", "not JSON"],
      ["", "not JSON"],
      ["[]", "expected an object"],
      ["null", "expected an object"],
      ['"join"', "expected an object"],
      ["42", "expected an object"],
    ];
    for (const [text, message] of cases) {
      const result = rejection(text);
      assert.equal(result.code, "invalid_frame");
      assert.equal(result.message, message, text);
    }
  });

  test("quotes a long unknown type only in part", () => {
    const { message } = rejection(JSON.stringify({ type: "x".repeat(5_000) }));
    assert.ok(message.length < 100, message);
  });

  test("answers with the ref of a rejected frame when it had a valid one", () => {
    assert.equal(rejection('{"type":"foo","ref":"a1"}').ref, "a1");
    assert.equal(rejection('{"type":"join","group":42,"ref":"r"}').ref, "r");
    assert.equal(rejection('{"type":"heartbeat","idle":1,"ref":"h"}').ref, "h");
    assert.equal(rejection('{"type":7,"ref":"t"}').ref, "t");
    for (const text of [
      '{"type":"foo","ref":42}',
      '{"type":"foo","ref":""}',
      `{"type":"foo","ref":"${"r".repeat(65)}"}`,
      '{"type":"foo","ref":"a1"',
    ]) {
      assert.equal("ref" in rejection(text), false, text);
    }
  });

  test("rejects __proto__, constructor and prototype keys at the top level", () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      for (const value of ['{"type":"join"}', "1", "null", '"x"', "{}"]) {
        const text = `{"type":"leave","group":"${GROUP_ID}",${JSON.stringify(key)}:${value},"ref":"p"}`;
        const result = rejection(text);
        assert.equal(result.message, `unknown field ${JSON.stringify(key)}`, text);
        assert.equal(result.ref, "p");
      }
      const first = rejection(`{${JSON.stringify(key)}:{"type":"heartbeat"},"type":"heartbeat"}`);
      assert.equal(first.message, `unknown field ${JSON.stringify(key)}`);
    }
    assert.equal(rejection('{"__proto__":{"type":"heartbeat"}}').code, "invalid_frame");
    assert.equal(({} as Record<string, unknown>).type, undefined, "Object.prototype untouched");
  });

  test("does not let a type named after an Object.prototype member through", () => {
    for (const type of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      assert.equal(rejection(JSON.stringify({ type })).message, `unknown type "${type}"`);
    }
  });

  test("accepts prototype-like words as values", () => {
    for (const text of ["__proto__", "constructor", "prototype"]) {
      const result = decodeClientFrame(
        JSON.stringify({ type: "send", group: GROUP_ID, text, key: text, ref: text }),
      );
      assert.deepEqual(result, {
        ok: true,
        frame: { type: "send", group: GROUP_ID, text, key: text, ref: text },
      });
    }
  });

  test("leaves the text rules to normalizeText", () => {
    const frame = { type: "send", group: GROUP_ID, text: " \u0007 ", key: "k" } as const;
    assert.deepEqual(decodeClientFrame(JSON.stringify(frame)), { ok: true, frame });
  });

  test("never throws, even for callers that bypass the types", () => {
    const inputs: unknown[] = [undefined, null, 42, {}, [], Symbol("s"), 10n, () => "{}"];
    for (const input of inputs) {
      const result = decodeClientFrame(input as string);
      assert.equal(result.ok, false);
      const server = decodeServerFrame(input as string);
      assert.equal(server.ok, false);
    }
  });
});

describe("server frames", () => {
  test("the samples cover every server frame type", () => {
    assert.deepEqual(new Set(sampleServerFrames.map((f) => f.type)), typesOf(ServerFrameSchema));
  });

  test("every server frame round-trips through encode and decodeServerFrame", () => {
    for (const frame of sampleServerFrames) {
      assert.deepEqual(decodeServerFrame(encode(frame)), { ok: true, frame });
    }
  });

  test("ignores fields it does not know, at any depth", () => {
    const text = JSON.stringify({
      type: "group_state",
      group: GROUP_ID,
      epoch: "e1",
      members: [],
      messages: [{ ...sampleMessage, pinnedBy: ["+1"] }],
      expired: 0,
      retention: { maxMessages: 50, maxAgeMs: 1, unit: "ms" },
      cursor: "abc",
    });
    assert.deepEqual(decodeServerFrame(text), {
      ok: true,
      frame: {
        type: "group_state",
        group: GROUP_ID,
        epoch: "e1",
        members: [],
        messages: [sampleMessage],
        expired: 0,
        retention: { maxMessages: 50, maxAgeMs: 1 },
      },
    });
  });

  test("reports an unknown type distinctly, so a client can ignore it", () => {
    assert.deepEqual(decodeServerFrame('{"type":"poll_created","poll":{}}'), {
      ok: false,
      code: "unknown_type",
      type: "poll_created",
      message: 'unknown type "poll_created"',
    });
    assert.equal(decodeServerFrame('{"type":"constructor"}').ok, false);
  });

  test("rejects a known frame with a missing or wrong field, naming its path", () => {
    const missing = decodeServerFrame('{"type":"friend_offline","userId":"u"}');
    assert.equal(missing.ok, false);
    assert.equal(!missing.ok && missing.code, "invalid_frame");
    assert.match(!missing.ok ? missing.message : "", /^lastSeen: /);

    const nested = decodeServerFrame(
      JSON.stringify({ type: "friend_request", request: { id: "r", from: { id: 1 } } }),
    );
    assert.match(!nested.ok ? nested.message : "", /^request\.from\.id: /);

    assert.equal(decodeServerFrame("nope").ok, false);
    assert.equal(decodeServerFrame("[1]").ok, false);
    assert.equal(decodeServerFrame('{"ts":1}').ok, false);
  });

  test("rejects an error frame with a code the protocol does not define", () => {
    const result = decodeServerFrame('{"type":"error","code":"teapot","message":"m"}');
    assert.equal(result.ok, false);
  });
});
