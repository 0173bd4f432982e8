/**
 * A throwaway copy of the repo for tests that run its npm scripts (check, dev, deploy) and may edit
 * wrangler.toml or .dev.vars: the files those scripts read, with node_modules linked, not copied.
 */
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The repository root. */
export const REPO = resolve(import.meta.dirname, "../..");

/** Copy what the scripts need into a new temp dir (.dev.vars from .dev.vars.example); returns the dir. */
export function copyRepo(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const path of ["scripts", "src", "migrations", "test/support", "wrangler.toml", "worker-configuration.d.ts", ".dev.vars.example", "package.json", "tsconfig.json"]) {
    cpSync(join(REPO, path), join(dir, path), { recursive: true });
  }
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  cpSync(join(dir, ".dev.vars.example"), join(dir, ".dev.vars"));
  return dir;
}
