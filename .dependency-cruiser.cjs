// The layering of docs/ARCHITECTURE.md as rules: `npm run check:layers`. The gateway's floors, from
// the bottom: packages/* < leaves (config, app-error, tokens, obs/, limits/) < db/ <
// domain (auth/, social/, chat/) < edges (http/, ws/, cluster/, app-context.ts) < wiring (gateway.ts, main.ts).
// A module may import its own floor and the floors below it, never one above.
const SRC = "^apps/gateway/src/";
const LEAVES = `${SRC}((config|app-error|tokens)\\.ts$|obs/|limits/)`;
const DB = `${SRC}db/`;
const DOMAIN = `${SRC}(auth|social|chat)/`;
const EDGES = `${SRC}((http|ws|cluster)/|app-context\\.ts$)`;
const WIRING = `${SRC}(gateway|main)\\.ts$`;
// Tests and their fixtures may reach across floors to set a scene; product code may not.
const TESTS = "(\\.test\\.tsx?$|/testing/|^apps/[^/]+/test/)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import circles in apps/ or packages/; type-only imports count.",
      from: { path: "^(apps|packages)/" },
      to: { circular: true },
    },
    {
      name: "packages-import-no-app",
      severity: "error",
      comment: "packages/* are libraries: they never import an app (or the scripts).",
      from: { path: "^packages/" },
      to: { path: "^(apps|scripts)/" },
    },
    {
      name: "apps-import-no-other-app",
      severity: "error",
      comment:
        "The gateway and the web client share only packages/* (browser tests start a gateway).",
      from: { path: "^apps/([^/]+)/", pathNot: TESTS },
      to: { path: "^apps/", pathNot: "^apps/$1/" },
    },
    {
      name: "apps-import-no-scripts",
      severity: "error",
      comment:
        "scripts/ sit above everything: they may import the apps, never the reverse (a test may use a build script).",
      from: { path: "^apps/", pathNot: TESTS },
      to: { path: "^scripts/" },
    },
    {
      name: "leaves-import-no-gateway-floor",
      severity: "error",
      comment: "config, app-error, tokens, obs/ and limits/ import only packages and each other.",
      from: { path: LEAVES, pathNot: TESTS },
      to: { path: SRC, pathNot: LEAVES },
    },
    {
      name: "db-imports-only-leaves",
      severity: "error",
      comment: "db/ holds queries: it knows nothing of auth, the social rules, rooms or the edges.",
      from: { path: DB, pathNot: TESTS },
      to: { path: SRC, pathNot: `(${LEAVES}|${DB})` },
    },
    {
      name: "domain-imports-no-edge",
      severity: "error",
      comment:
        "auth/, social/ and chat/ never import http/ or ws/ (nor the wiring): failures are values or AppError.",
      from: { path: DOMAIN, pathNot: TESTS },
      to: { path: `(${EDGES}|${WIRING})` },
    },
    {
      name: "edges-import-no-wiring",
      severity: "error",
      comment:
        "http/, ws/ and cluster/ are handed what they need; they never import gateway.ts or main.ts.",
      from: { path: EDGES, pathNot: TESTS },
      to: { path: WIRING },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to nothing is a typo or a missing dependency.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // `import type` counts: a circle of types is still a circle to read through.
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|\\.data|test-artifacts)/" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "node", "default"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".d.ts"],
      mainFields: ["module", "main", "types"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
