// Builds the web client into dist/: hashed, minified ESM + CSS (with source maps) under
// dist/assets/ and an index.html that references them by absolute path (the gateway's CSP allows
// no inline code). Prints the gzipped size of the JavaScript a page loads at start (the entry and
// the chunks it imports statically; the debug view's lazy chunk is not counted) and fails above
// the budget.
//   node build.mjs            one build
//   node build.mjs --watch    rebuild on change (`npm run dev`); tells a parent process over IPC
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, context } from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const assets = join(dist, "assets");
/** Issues 17 and 18: the start-up JavaScript stays within 35 KB gzipped (the debug chunk aside). */
const MAX_JS_GZIP_BYTES = 35 * 1024;
const isWatch = process.argv.includes("--watch");

/** After each build: the page naming this build's files, and no files of earlier builds. */
const writePage = {
  name: "clofri-web-page",
  setup(pluginBuild) {
    pluginBuild.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      const outputs = Object.keys(result.metafile.outputs).map((path) => join(root, path));
      await removeStaleAssets(outputs);
      const loaded = startupScripts(result.metafile);
      const script = loaded[0];
      if (!script) throw new Error("build: esbuild produced no JavaScript entry");
      await writeFile(join(dist, "index.html"), page(loaded, outputs));
      const isOverBudget = await reportSize(loaded);
      if (isOverBudget && !isWatch) process.exitCode = 1;
      process.send?.({ event: "web_built" });
    });
  },
};

const options = {
  absWorkingDir: root,
  entryPoints: ["src/main.tsx"],
  outdir: assets,
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  bundle: true,
  // The debug view (`?debug=1`) is a dynamic import: its own chunk, out of the start-up bundle.
  splitting: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["es2022"],
  platform: "browser",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
  plugins: [writePage],
};

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });
if (isWatch) {
  await (await context(options)).watch();
} else {
  await build(options);
}

function page([script, ...chunks], outputs) {
  const href = (path) => `/assets/${basename(path)}`;
  const styles = outputs.filter((path) => path.endsWith(".css"));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Clofri</title>
<link rel="icon" href="data:,">
${styles.map((path) => `<link rel="stylesheet" href="${href(path)}">`).join("\n")}
${chunks.map((path) => `<link rel="modulepreload" href="${href(path)}">`).join("\n")}
<script type="module" src="${href(script)}"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`;
}

async function removeStaleAssets(outputs) {
  const current = new Set(outputs.map((path) => basename(path)));
  for (const name of await readdir(assets)) {
    if (!current.has(name)) await rm(join(assets, name), { force: true });
  }
}

/** The entry's script first, then every chunk it imports statically (absolute paths). */
function startupScripts(metafile) {
  const entry = Object.keys(metafile.outputs).find(
    (path) => metafile.outputs[path].entryPoint === "src/main.tsx",
  );
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === "import-statement") visit(imported.path);
    }
  };
  if (entry !== undefined) visit(entry);
  return [...seen].map((path) => join(root, path));
}

/** Prints the gzipped size of the scripts loaded at start; true when over the budget. */
async function reportSize(scripts) {
  let gzipBytes = 0;
  for (const script of scripts) gzipBytes += gzipSync(await readFile(script), { level: 9 }).length;
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const names = scripts.map((script) => relative(root, script)).join(" + ");
  console.log(`web: ${names} ${kb(gzipBytes)} gzipped (budget ${kb(MAX_JS_GZIP_BYTES)})`);
  if (gzipBytes <= MAX_JS_GZIP_BYTES) return false;
  console.error(`web: the JavaScript is over budget: ${kb(gzipBytes)} > ${kb(MAX_JS_GZIP_BYTES)}`);
  return true;
}
