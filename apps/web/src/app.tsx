import { useEffect } from "preact/hooks";
import { connection } from "./net/connection-signal.ts";
import { isPublic, location, matchRoute } from "./router.ts";
import { client, goToSignIn, mightBeSignedIn } from "./session.ts";
import { unreadTotal } from "./state/awareness.ts";
import { app } from "./state/store.ts";
import { AddFriendLink, Friends } from "./views/friends.tsx";
import { GroupView } from "./views/group.tsx";
import { GroupSettings } from "./views/group-settings.tsx";
import { Home } from "./views/home.tsx";
import { Join } from "./views/join.tsx";
import { Profile } from "./views/profile.tsx";
import { Shell } from "./views/shell.tsx";
import { SignIn } from "./views/sign-in.tsx";
import { Verify } from "./views/verify.tsx";

export function App() {
  const route = matchRoute(location.value.pathname);
  const phase = connection.value.phase;
  const needsSession = !isPublic(route);

  useEffect(() => {
    if (!needsSession) return;
    if (phase === "stopped") {
      if (mightBeSignedIn()) client.start();
      else goToSignIn();
    }
    if (phase === "signed_out") goToSignIn();
  }, [needsSession, phase]);

  const unread = unreadTotal(app.value);
  useEffect(() => {
    const title = TITLES[route.name];
    const count = unread > 0 ? `(${unread}) ` : "";
    document.title = `${count}${title ? `${title} · Clofri` : "Clofri"}`;
  }, [route.name, unread]);

  // Nothing that needs a session renders (and fetches) until one is plausible; the effect above
  // sends the person to sign in.
  if (needsSession && (phase === "signed_out" || (phase === "stopped" && !mightBeSignedIn()))) {
    return null;
  }

  switch (route.name) {
    case "sign-in":
      return <SignIn />;
    case "verify":
      return <Verify />;
    default:
      return <Shell>{page(route)}</Shell>;
  }
}

const TITLES: Record<string, string> = {
  home: "Who's around",
  friends: "Friends",
  profile: "Profile",
  group: "Group",
  "group-settings": "Group settings",
  join: "Join a group",
  "add-friend": "Add a friend",
  "sign-in": "Sign in",
};

function page(route: ReturnType<typeof matchRoute>) {
  switch (route.name) {
    case "home":
      return <Home />;
    case "group":
      return <GroupView key={route.id} id={route.id} />;
    case "group-settings":
      return <GroupSettings key={route.id} id={route.id} />;
    case "friends":
      return <Friends />;
    case "add-friend":
      return <AddFriendLink code={route.code} />;
    case "profile":
      return <Profile />;
    case "join":
      return <Join code={route.code} />;
    default:
      return (
        <div class="page">
          <h1>Nothing here</h1>
          <p>
            This page doesn't exist. <a href="/">See who's around</a>
          </p>
        </div>
      );
  }
}
