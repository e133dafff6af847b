// Names are checked in the browser by the server's own rule (packages/protocol), so a name that
// would be refused is explained before a request goes, and the name sent is the one stored.
import { normalizeName } from "@clofri/protocol/text";

type CheckedName = { ok: true; name: string } | { ok: false; problem: string };

export function checkName(raw: string, field: "Display name" | "Group name"): CheckedName {
  const result = normalizeName(raw);
  return result.ok ? result : { ok: false, problem: `${field}: ${result.message}.` };
}
