import { render } from "preact";
import { setUnauthorizedHandler } from "./api.ts";
import { App } from "./app.tsx";
import { listenToHistory, onLinkClick } from "./router.ts";
import { goToSignIn } from "./session.ts";
import { startClock } from "./state/store.ts";
import "./styles.css";

setUnauthorizedHandler(goToSignIn);
listenToHistory();
startClock();
document.addEventListener("click", onLinkClick);
render(<App />, document.getElementById("app") as HTMLElement);
