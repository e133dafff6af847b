import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { AppError } from "../app-error.ts";
import type { Logger } from "../obs/logger.ts";
import type { Reply, Request, Router } from "./router.ts";

// The built web client (apps/web/dist) is a few small files: they are read into memory once at
// start-up and served from a map keyed by URL path, so no request ever touches the file system
// and no path can reach outside the directory.

/** Paths that belong to the server: never answered with the web client's page. */
const SERVER_PREFIXES = ["/api", "/auth", "/admin", "/ws", "/health", "/metrics"];
/** esbuild names everything here `<name>-<hash>.<ext>`: a file's URL changes with its content. */
const ASSETS_PREFIX = "/assets";
const IMMUTABLE = "public, max-age=31536000, immutable";
/** The page names the current asset hashes, so the browser must ask every time. */
const REVALIDATE = "no-cache";
const BUILD_COMMAND = "npm run build -w apps/web";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};
const COMPRESSIBLE = new Set([
  ".html",
  ".js",
  ".mjs",
  ".css",
  ".json",
  ".map",
  ".webmanifest",
  ".txt",
  ".svg",
]);
/** Below this, gzip's header costs more than it saves. */
const MIN_GZIP_BYTES = 256;

interface StaticFile {
  readonly contentType: string;
  readonly cacheControl: string;
  readonly bytes: Buffer;
  /** Only when compressing paid off; served to clients whose Accept-Encoding allows gzip. */
  readonly gzipped: Buffer | undefined;
  readonly isCompressible: boolean;
}

export type WebClient =
  | {
      readonly isBuilt: true;
      readonly dir: string;
      readonly files: ReadonlyMap<string, StaticFile>;
    }
  | { readonly isBuilt: false; readonly dir: string };

/** Reads the built client from `dir`; a missing build is not an error (the API still serves). */
export async function loadWebClient(dir: string, logger: Logger): Promise<WebClient> {
  let paths: string[];
  try {
    paths = await listFiles(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    paths = [];
  }
  if (!paths.includes(join(dir, "index.html"))) {
    logger.warn({ event: "web_client_missing", dir, hint: `run \`${BUILD_COMMAND}\`` });
    return { isBuilt: false, dir };
  }
  const files = new Map<string, StaticFile>();
  let totalBytes = 0;
  for (const path of paths) {
    const urlPath = `/${relative(dir, path).split(sep).join("/")}`;
    const bytes = await readFile(path);
    totalBytes += bytes.length;
    files.set(urlPath, staticFile(urlPath, bytes));
  }
  logger.info({ event: "web_client_loaded", dir, files: files.size, bytes: totalBytes });
  return { isBuilt: true, dir, files };
}

/**
 * Serves the web client on every GET/HEAD no API route claims: its files by exact path, hashed
 * assets cached for a year, and index.html for any other page path (the app routes on the client).
 */
export function webClientRoutes(router: Router, client: WebClient): void {
  router.fallback(
    (request) => serve(request, client),
    (path) => !SERVER_PREFIXES.some((prefix) => isUnder(path, prefix)),
  );
}

function serve(request: Request, client: WebClient): Reply {
  const { path } = request;
  if (!client.isBuilt) {
    if (isUnder(path, ASSETS_PREFIX)) throw new AppError("not_found", `no file at ${path}`);
    return {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: `Clofri's web client is not built (no index.html in ${client.dir}). Run \`${BUILD_COMMAND}\`, then restart the gateway. (\`npm start\` builds it for you.)\n`,
    };
  }
  const file = client.files.get(path);
  if (file) return reply(file, request);
  if (isUnder(path, ASSETS_PREFIX)) throw new AppError("not_found", `no file at ${path}`);
  const page = client.files.get("/index.html") as StaticFile;
  return reply(page, request);
}

function reply(file: StaticFile, request: Request): Reply {
  const headers: Record<string, string> = {
    "content-type": file.contentType,
    "cache-control": file.cacheControl,
  };
  // Both variants say so, or a shared cache could hand gzip to a client that did not ask for it.
  if (file.isCompressible) headers.vary = "accept-encoding";
  if (file.gzipped && acceptsGzip(request.headers.get("accept-encoding"))) {
    headers["content-encoding"] = "gzip";
    return { status: 200, headers, body: file.gzipped };
  }
  return { status: 200, headers, body: file.bytes };
}

function staticFile(urlPath: string, bytes: Buffer): StaticFile {
  const extension = extname(urlPath).toLowerCase();
  const isCompressible = COMPRESSIBLE.has(extension);
  let gzipped: Buffer | undefined;
  if (isCompressible && bytes.length >= MIN_GZIP_BYTES) {
    const candidate = gzipSync(bytes, { level: 9 });
    if (candidate.length < bytes.length * 0.9) gzipped = candidate;
  }
  return {
    contentType: CONTENT_TYPES[extension] ?? "application/octet-stream",
    cacheControl: isUnder(urlPath, ASSETS_PREFIX) ? IMMUTABLE : REVALIDATE,
    bytes,
    gzipped,
    isCompressible,
  };
}

/** Regular files only, recursively; dotfiles and symbolic links are left out. */
async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Whether `Accept-Encoding` allows gzip: `gzip` or else `*`, with a quality above 0. */
function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gzipQuality: number | undefined;
  let anyQuality: number | undefined;
  for (const part of header.split(",")) {
    const [coding = "", ...params] = part.split(";").map((each) => each.trim().toLowerCase());
    const q = params.find((param) => param.startsWith("q="));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (coding === "gzip") gzipQuality = quality;
    else if (coding === "*") anyQuality = quality;
  }
  const quality = gzipQuality ?? anyQuality;
  return quality !== undefined && quality > 0;
}
