import assert from "node:assert/strict";
import { test } from "node:test";
import { importedName, nameFromEmail } from "./imported-name.ts";

test("a provider's name is cleaned into the name rule rather than refused", () => {
  assert.equal(importedName("\u202eAda Lovelace"), "Ada Lovelace");
  assert.equal(importedName("Ada\nLovelace\t"), "Ada Lovelace");
  assert.equal(importedName("a".repeat(80)), "a".repeat(64));
  assert.equal(importedName("😀".repeat(80)), "😀".repeat(64));
  for (const nothing of [undefined, null, "", "   ", "\u200b\u200d", "\u202e\u202c"]) {
    assert.equal(importedName(nothing), undefined, JSON.stringify(nothing));
  }
});

test("a new account is named after the email's local part, or 'friend' when it shows nothing", () => {
  assert.equal(nameFromEmail("Alex.Doe@example.test"), "Alex.Doe");
  assert.equal(nameFromEmail("\u202eevil@example.test"), "evil");
  assert.equal(nameFromEmail("\u200b@example.test"), "friend");
  assert.equal(nameFromEmail("@example.test"), "friend");
});
