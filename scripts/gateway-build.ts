// esbuild options for the gateway's production bundle (apps/gateway/dist/main.mjs), shared by the
// one-off build (build.ts) and the watch mode (dev.ts).
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions, Plugin } from "esbuild";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MIGRATIONS_DIR = join(ROOT, "migrations");
const GATEWAY_DIST_DIR = join(ROOT, "apps/gateway/dist");
export const GATEWAY_BUNDLE = join(GATEWAY_DIST_DIR, "main.mjs");

/**
 * Loaded at run time from node_modules: uWS is a native addon; PGlite finds its .wasm and .data
 * files next to its own modules (`new URL(…, import.meta.url)`); pg-native is pg's optional driver.
 */
const EXTERNAL_PACKAGES = ["uWebSockets.js", "@electric-sql/pglite", "pg-native"];

/** CommonJS dependencies (pg, pino, prom-client) call `require` for node built-ins. */
const REQUIRE_SHIM =
  'import { createRequire as __clofriCreateRequire } from "node:module"; const require = __clofriCreateRequire(import.meta.url);';

/**
 * Replaces db/migration-source.ts, which reads `migrations/*.ts` from disk under tsx, with a module
 * that imports each of them, so the bundle carries its migrations under their file names.
 */
const bundledMigrations: Plugin = {
  name: "clofri-bundled-migrations",
  setup(build) {
    build.onResolve({ filter: /\/migration-source\.ts$/ }, () => ({
      path: "bundled-migrations",
      namespace: "clofri-migrations",
    }));
    build.onLoad({ filter: /.*/, namespace: "clofri-migrations" }, async () => {
      const files = (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith(".ts")).sort();
      const imports = files.map(
        (file, i) => `import * as m${i} from ${JSON.stringify(`./${file}`)};`,
      );
      const entries = files.map((file, i) => `${JSON.stringify(file.slice(0, -3))}: m${i}`);
      const contents = `${imports.join("\n")}
const migrations = { ${entries.join(", ")} };
export function migrationProvider() {
  return { getMigrations: async () => migrations };
}
`;
      return { contents, loader: "js", resolveDir: MIGRATIONS_DIR, watchDirs: [MIGRATIONS_DIR] };
    });
  },
};

export const gatewayBuildOptions: BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: ["apps/gateway/src/main.ts"],
  outfile: GATEWAY_BUNDLE,
  bundle: true,
  platform: "node",
  format: "esm",
  target: ["node20"],
  // Without comments and indentation V8 holds a 1 MB one-byte source string instead of a 3.4 MB
  // two-byte one (comments carry non-ASCII characters); names stay, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  external: EXTERNAL_PACKAGES,
  banner: { js: REQUIRE_SHIM },
  plugins: [bundledMigrations],
  metafile: true,
  logLevel: "warning",
};
