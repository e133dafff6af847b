import assert from "node:assert/strict";
import { test } from "node:test";
import { appPagePath } from "./next-path.ts";

test("the app's own pages are kept as destinations", () => {
  for (const path of [
    "/",
    "/friends",
    "/profile",
    "/join/7K3M9QXA2B4C",
    "/add/7K3M9QXA",
    "/g/0b9c3d4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e",
    "/g/0b9c3d4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e/settings",
  ]) {
    assert.equal(appPagePath(path), path);
  }
});

test("other origins, protocol-relative and odd paths, API and sign-in paths are dropped", () => {
  for (const path of [
    undefined,
    null,
    "",
    "https://evil.example/join/ABC",
    "//evil.example/join/ABC",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "join/ABC",
    "/join/ABC?x=1",
    "/join/ABC#frag",
    "/join/../api/me",
    "/join/%2F%2Fevil",
    "/api/me",
    "/auth/google",
    "/sign-in",
    "/sign-in/verify",
    "/admin/fixtures",
    "/friends/",
    "/join/ABC\n",
  ]) {
    assert.equal(appPagePath(path), undefined, JSON.stringify(path));
  }
});
