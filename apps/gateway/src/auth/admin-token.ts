import { link, mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { isSameSecret, newToken } from "../tokens.ts";

const ADMIN_TOKEN_FILE = "admin-token";
/** The same floor as the ADMIN_TOKEN variable; a file below it is replaced. */
const ADMIN_TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,512}$/;
const OWNER_ONLY = 0o600;

/** Whether the presented secret is the admin token, compared in constant time. */
export function isAdminToken(presented: string, expected: string): boolean {
  return isSameSecret(presented, expected);
}

export interface DevAdminToken {
  token: string;
  /** Absolute path of the file that holds it: the one thing that may be logged. */
  path: string;
  isNew: boolean;
}

/**
 * The development admin token in `<dataDir>/admin-token` (mode 0600), made anew when missing or
 * invalid. A new file is complete before it appears: a concurrent reader never sees half a token.
 */
export async function loadOrCreateDevAdminToken(
  dataDir: string,
): Promise<DevAdminToken | undefined> {
  if (dataDir.startsWith("memory://")) return undefined;
  const path = resolve(join(dataDir, ADMIN_TOKEN_FILE));
  const existing = await readValidToken(path);
  if (typeof existing === "string") return { token: existing, path, isNew: false };

  await mkdir(resolve(dataDir), { recursive: true, mode: 0o700 });
  const token = newToken();
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, `${token}\n`, { mode: OWNER_ONLY, flag: "wx" });
  try {
    if (existing === null) {
      // An unusable file (bad contents or readable by others) is replaced outright.
      await rename(partial, path);
      return { token, path, isNew: true };
    }
    await link(partial, path);
    return { token, path, isNew: true };
  } catch (error) {
    // Another process created the file between our read and our link: use theirs.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const theirs = await readValidToken(path);
    if (typeof theirs !== "string") throw new Error(`${path} holds no usable admin token`);
    return { token: theirs, path, isNew: false };
  } finally {
    await unlink(partial).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    });
  }
}

/** The token in the file; undefined when there is no file, null when it is unusable. */
async function readValidToken(path: string): Promise<string | null | undefined> {
  let text: string;
  let mode: number;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const token = text.trim();
  const isPrivate = (mode & 0o077) === 0;
  return isPrivate && ADMIN_TOKEN_PATTERN.test(token) ? token : null;
}
