import { render } from "preact";
import { setUnauthorizedHandler } from "./api.ts";
import { App } from "./app.tsx";
import { frameTap } from "./net/frame-tap.ts";
import { listenToHistory, onLinkClick } from "./router.ts";
import { goToSignIn, requestsSync } from "./session.ts";
import { startClock } from "./state/store.ts";
import "./styles.css";

setUnauthorizedHandler(goToSignIn);
listenToHistory();
startClock();
requestsSync.listen();
document.addEventListener("click", onLinkClick);
// The debug view: recording starts before the socket; its panel is a chunk of its own, fetched
// only here.
if (new URLSearchParams(window.location.search).get("debug") === "1") {
  frameTap.isOn = true;
  void import("./debug/debug-panel.tsx").then((panel) => panel.mountDebugPanel());
}
render(<App />, document.getElementById("app") as HTMLElement);
