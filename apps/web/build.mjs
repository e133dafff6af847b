// Builds the web client into dist/: hashed, minified ESM + CSS under dist/assets/ and an
// index.html that references them by absolute path (the gateway's CSP allows no inline code).
// Prints the gzipped size of the JavaScript and fails above the budget of SPEC §7.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const assets = join(dist, "assets");
const MAX_JS_GZIP_BYTES = 50 * 1024;

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/main.tsx"],
  outdir: assets,
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  platform: "browser",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
});

const outputs = Object.keys(result.metafile.outputs).map((path) => join(root, path));
const script = outputs.find((path) => path.endsWith(".js"));
const styles = outputs.filter((path) => path.endsWith(".css"));
if (!script) throw new Error("build: esbuild produced no JavaScript file");

const href = (path) => `/assets/${basename(path)}`;
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Clofri</title>
<link rel="icon" href="data:,">
${styles.map((path) => `<link rel="stylesheet" href="${href(path)}">`).join("\n")}
<script type="module" src="${href(script)}"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`;
await writeFile(join(dist, "index.html"), html);

const gzipBytes = gzipSync(await readFile(script), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `web: ${relative(root, script)} ${kb(gzipBytes)} gzipped (budget ${kb(MAX_JS_GZIP_BYTES)})`,
);
if (gzipBytes > MAX_JS_GZIP_BYTES) {
  console.error(`web: the JavaScript is over budget: ${kb(gzipBytes)} > ${kb(MAX_JS_GZIP_BYTES)}`);
  process.exit(1);
}
