// Builds what `npm start` runs: the web client (apps/web/dist) and the gateway as one ES module
// (apps/gateway/dist/main.mjs with its source map), so the server runs on plain node.
//   node --import tsx scripts/build.ts
import { spawnSync } from "node:child_process";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { GATEWAY_BUNDLE, gatewayBuildOptions, ROOT } from "./gateway-build.ts";

const web = spawnSync(process.execPath, [join(ROOT, "apps/web/build.mjs")], { stdio: "inherit" });
if (web.status !== 0) process.exit(web.status ?? 1);

const result = await build(gatewayBuildOptions);
const bundle = relative(ROOT, GATEWAY_BUNDLE);
const bytes = result.metafile?.outputs[bundle]?.bytes ?? 0;
console.log(`gateway: ${bundle} ${(bytes / 1024).toFixed(0)} KB`);
