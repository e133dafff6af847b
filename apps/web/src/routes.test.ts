import assert from "node:assert/strict";
import { test } from "node:test";
import { appPagePath, isPublic, matchRoute } from "./routes.ts";

const G = "7c1e4a52-0d1b-4c8e-9f0a-2b3c4d5e6f70";

test("every screen has its path", () => {
  assert.deepEqual(matchRoute("/"), { name: "home" });
  assert.deepEqual(matchRoute("/sign-in"), { name: "sign-in" });
  assert.deepEqual(matchRoute("/sign-in/verify"), { name: "verify" });
  assert.deepEqual(matchRoute(`/g/${G}`), { name: "group", id: G });
  assert.deepEqual(matchRoute(`/g/${G}/settings`), { name: "group-settings", id: G });
  assert.deepEqual(matchRoute("/friends"), { name: "friends" });
  assert.deepEqual(matchRoute("/add/7K3M9QXA"), { name: "add-friend", code: "7K3M9QXA" });
  assert.deepEqual(matchRoute("/profile"), { name: "profile" });
  assert.deepEqual(matchRoute("/join/ABCDEFGHJKMN"), { name: "join", code: "ABCDEFGHJKMN" });
});

test("a trailing slash is the same page; anything else is not found", () => {
  assert.deepEqual(matchRoute("/friends/"), { name: "friends" });
  assert.deepEqual(matchRoute("/g"), { name: "not-found" });
  assert.deepEqual(matchRoute(`/g/${G}/nope`), { name: "not-found" });
  assert.deepEqual(matchRoute("/admin"), { name: "not-found" });
});

test("only the sign-in pages work without a session", () => {
  assert.equal(isPublic(matchRoute("/sign-in")), true);
  assert.equal(isPublic(matchRoute("/sign-in/verify")), true);
  assert.equal(isPublic(matchRoute("/")), false);
  assert.equal(isPublic(matchRoute("/join/ABCDEFGHJKMN")), false);
});

test("after signing in, only the app's own pages are places to continue to", () => {
  for (const page of [
    "/",
    "/friends",
    "/profile",
    `/g/${G}`,
    `/g/${G}/settings`,
    "/add/7K3M9QXA",
  ]) {
    assert.equal(appPagePath(page), page);
  }
  assert.equal(appPagePath("/join/ABCDEFGHJKMN/"), "/join/ABCDEFGHJKMN");
  for (const path of [
    null,
    "",
    "https://evil.example/join/ABC",
    "//evil.example",
    "/\\evil.example",
    "/sign-in",
    "/sign-in/verify",
    "/api/me",
    "/auth/google",
    "/join/ABC?x=1",
    "/g/../api/me",
  ]) {
    assert.equal(appPagePath(path), undefined, String(path));
  }
});
