#!/usr/bin/env node
/**
 * Offline check of transform code, for `npm run check`: the config load (synchronous, no Worker
 * Loader) checks transform names, not whether their code loads. Offline there is no workerd either,
 * so this parses each transform as the ES module the sandbox loads (wrangler's esbuild) and requires a
 * default export: syntax errors, imports of modules the sandbox does not have (only the transform's
 * own module and `cloudflare:*` exist there), and a missing `export default` are caught before deploy.
 * What only running can show (a top-level throw or loop) is caught by `checkTransformLoads(env, code)`
 * (src/transform) in the test endpoint, and at first use as `transform_failed`.
 *
 *   import { checkTransformsOffline } from "./check-transforms.mjs";
 *   const problems = await checkTransformsOffline(config.transforms); // ["EDGEHOOK.transforms.x: …"]
 *
 * Standalone: `node scripts/check-transforms.mjs '<EDGEHOOK JSON>'` prints the problems (exit 1 if any).
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The sandbox has one module, the transform's own (src/transform/sandbox.ts), and the runtime's `cloudflare:*`. */
const sandboxImports = {
  name: "sandbox-imports",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.path.startsWith("cloudflare:") ? { path: args.path, external: true } : { errors: [{ text: `cannot import "${args.path}": a transform is one module; only cloudflare:* modules exist in its sandbox` }] });
  },
};

/**
 * Problems (`EDGEHOOK.transforms.<name>: …`) of transforms whose code cannot load; [] when all can.
 * Give the parsed config's `transforms` (a `file` is read from the repository when `code` is absent).
 * @param {Record<string, { code?: string; file?: string }> | undefined} transforms
 * @returns {Promise<string[]>}
 */
export async function checkTransformsOffline(transforms) {
  const { build } = await import("esbuild");
  const { readFileSync } = await import("node:fs");
  const root = fileURLToPath(new URL("..", import.meta.url));
  const problems = [];
  for (const [name, t] of Object.entries(transforms ?? {})) {
    let code = t?.code;
    if (code === undefined && typeof t?.file === "string") {
      try {
        code = readFileSync(resolve(root, t.file), "utf8");
      } catch {
        problems.push(`EDGEHOOK.transforms.${name}.file: cannot read ${t.file}`);
        continue;
      }
    }
    if (typeof code !== "string") continue;
    try {
      const out = await build({ stdin: { contents: code, loader: "js", sourcefile: `transforms.${name}` }, bundle: true, format: "esm", platform: "neutral", write: false, metafile: true, logLevel: "silent", outfile: "out.js", plugins: [sandboxImports] });
      const exports = Object.values(out.metafile.outputs)[0]?.exports ?? [];
      if (!exports.includes("default")) problems.push(`EDGEHOOK.transforms.${name}: the module has no default export (export default function transform(event) { … })`);
    } catch (error) {
      const first = error?.errors?.[0];
      const where = first?.location ? ` at line ${first.location.line}, column ${first.location.column + 1}` : "";
      problems.push(`EDGEHOOK.transforms.${name}: the code does not load${where}: ${first?.text ?? String(error)}`);
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const config = JSON.parse(process.argv[2] ?? "{}");
  const problems = await checkTransformsOffline(config.transforms);
  for (const p of problems) console.error(p);
  console.log(problems.length === 0 ? "[check-transforms] every transform can load" : `[check-transforms] ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}
