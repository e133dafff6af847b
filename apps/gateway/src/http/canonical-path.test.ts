import assert from "node:assert/strict";
import { test } from "node:test";
import { spellingOf } from "./canonical-path.ts";

test("canonical paths pass, parameters with ordinary escapes included", () => {
  for (const path of [
    "/",
    "/api/groups",
    "/api/groups/0b4f1c1e-5a43-4c57-9a59-27b3d8b7a3f1/members",
    "/join/ABCDEFGHJKMN",
    "/items/a%20b",
    "/assets/app-1234.js",
    "/a.b/..c/...",
  ]) {
    assert.deepEqual(spellingOf(path), { kind: "canonical" }, path);
  }
});

test("another spelling names its canonical path, which never leaves the root", () => {
  const cases: Array<[string, string]> = [
    ["//api/groups", "/api/groups"],
    ["/api//groups", "/api/groups"],
    ["/api/groups/", "/api/groups"],
    ["/api/", "/api"],
    ["//", "/"],
    ["/./api/groups", "/api/groups"],
    ["/api/../api/groups", "/api/groups"],
    ["/api/%2e%2E/api/groups", "/api/groups"],
    ["/api/.%2e/groups", "/groups"],
    ["/api/%2E", "/api"],
    ["/../../etc/passwd", "/etc/passwd"],
    ["//evil.example/x", "/evil.example/x"],
  ];
  for (const [path, canonical] of cases) {
    assert.deepEqual(spellingOf(path), { kind: "other", canonical }, path);
  }
});

test("a path without a leading slash or with a hidden separator names nothing", () => {
  for (const path of [
    "",
    "api/groups",
    "/api%2Fgroups",
    "/api%2fgroups",
    "/api%5Cgroups",
    "/\\x",
  ]) {
    assert.equal(spellingOf(path).kind, "refused", path);
  }
});
