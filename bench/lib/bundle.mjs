/** Bundle a worker entry for workerd as one ES module (what wrangler would upload), for Miniflare's own server. */
import { build } from "esbuild";
import { join } from "node:path";

/** The bundled source of `entry`, resolved against this checkout's node_modules. */
export async function bundle(entry) {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    nodePaths: [join(process.cwd(), "node_modules")],
    write: false,
    minify: false,
  });
  return out.outputFiles[0].text;
}
