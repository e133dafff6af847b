import type { ErrorFrame } from "@clofri/protocol";

/** What a failed frame means for the person who sent it. */
export function sendErrorText(
  frame: Pick<ErrorFrame, "code" | "message" | "retryAfterMs">,
): string {
  switch (frame.code) {
    case "rate_limited": {
      const seconds = Math.max(1, Math.ceil((frame.retryAfterMs ?? 1_000) / 1_000));
      return `Slow down: you can send again in ${seconds} s.`;
    }
    case "muted":
      return "You are muted in this group.";
    case "text_invalid":
      return "That message can't be sent (empty, too long or with control characters).";
    case "not_joined":
      return "Not in the room yet; rejoining.";
    case "not_member":
      return "You are not a member of this group.";
    case "not_found":
      return "That message is gone from the room.";
    case "forbidden":
      return "Only its author (or the group's creator) can do that.";
    case "edit_window":
      return "Messages can be edited for 15 minutes only.";
    case "too_many_reactions":
      return "A message takes at most 8 different reactions.";
    case "room_unavailable":
      return "The room is restarting. Try again in a moment.";
    default:
      return "The server could not take that. Try again.";
  }
}
