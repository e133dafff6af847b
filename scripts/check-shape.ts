// The size rules of STYLE.md for product code in apps/*/src: no file over 300 lines, no function
// over 60 lines except route tables (`…Routes(router: Router, …)`, one short handler per route).
//   node --import tsx scripts/check-shape.ts    prints each breach; exits 1 when there is one
// Tests (`*.test.ts(x)`, `testing/`) are left out: a test file grows with the cases it covers.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 60;

export interface Breach {
  file: string;
  line: number;
  what: string;
  lines: number;
  limit: number;
}

/** Every breach in one file's text; `file` is only used to label them and pick the JSX dialect. */
export function breachesIn(file: string, text: string): Breach[] {
  const kind = file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const breaches: Breach[] = [];
  const fileLines = lineOf(source.getEnd() - 1);
  if (fileLines > MAX_FILE_LINES) {
    breaches.push({ file, line: 1, what: "file", lines: fileLines, limit: MAX_FILE_LINES });
  }
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const first = lineOf(node.getStart(source));
      const lines = lineOf(node.getEnd()) - first + 1;
      if (lines > MAX_FUNCTION_LINES && !isRouteTable(node, source)) {
        const what = `function ${functionName(node, source)}`;
        breaches.push({ file, line: first, what, lines, limit: MAX_FUNCTION_LINES });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return breaches;
}

/** `fooRoutes(router: Router, …)`: a list of `router.get(…)` calls, each handler checked alone. */
function isRouteTable(node: ts.SignatureDeclaration, source: ts.SourceFile): boolean {
  const name = functionName(node, source);
  const takesRouter = node.parameters.some((p) => p.type?.getText(source) === "Router");
  return name.endsWith("Routes") && takesRouter;
}

function functionName(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (node.name !== undefined) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
    return parent.name.getText(source);
  }
  return "(anonymous)";
}

function productFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "testing" && entry.name !== "node_modules") productFiles(path, found);
    } else if (/\.tsx?$/.test(entry.name) && !/\.(test|d)\.tsx?$/.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

function main(): void {
  const root = new URL("..", import.meta.url).pathname;
  const apps = readdirSync(join(root, "apps")).map((app) => join(root, "apps", app, "src"));
  const breaches = apps
    .flatMap((dir) => productFiles(dir))
    .sort()
    .flatMap((path) => breachesIn(relative(root, path), readFileSync(path, "utf8")));
  for (const b of breaches) {
    console.error(`${b.file}:${b.line}: ${b.what} has ${b.lines} lines (at most ${b.limit})`);
  }
  console.error(`check-shape: ${breaches.length} breach(es) of the size rules`);
  if (breaches.length > 0) process.exitCode = 1;
}

if (process.argv[1] === new URL(import.meta.url).pathname) main();
