import uWS from "uWebSockets.js";

export { uWS };

/**
 * The package silently falls back to a `ws`-based JavaScript implementation when its native binary
 * does not load, and that fallback throws "Not implemented" on upgrade and publish. Only the native
 * module exports `getParts`.
 */
export function isNativeUws(): boolean {
  return typeof (uWS as { getParts?: unknown }).getParts === "function";
}
