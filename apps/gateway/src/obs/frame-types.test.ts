import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ERROR_CODES, encode } from "@clofri/protocol";
import {
  ERROR_CODE_LABELS,
  errorCodeIndex,
  OTHER_SERVER_FRAME,
  SERVER_FRAME_TYPES,
  serverFrameIndex,
} from "./frame-types.ts";

describe("frame labels for metrics", () => {
  test("every server frame type is recognised from its encoded text", () => {
    for (const type of SERVER_FRAME_TYPES.slice(0, OTHER_SERVER_FRAME)) {
      const text = encode({ type, group: "g" } as never);
      assert.equal(SERVER_FRAME_TYPES[serverFrameIndex(text)], type);
    }
    for (const junk of ["", "{}", '{"type":"messages"}', '{"type":"mess', "not json"]) {
      assert.equal(serverFrameIndex(junk), OTHER_SERVER_FRAME, junk);
    }
  });

  test("an error frame's code is read from its field, whatever its ref holds", () => {
    for (const code of ERROR_CODES) {
      const text = encode({ type: "error", ref: 'a"code":"muted', code, message: "m" });
      assert.equal(ERROR_CODE_LABELS[errorCodeIndex(text)], code);
    }
    assert.equal(ERROR_CODE_LABELS[errorCodeIndex('{"type":"error"}')], "other");
  });
});
