/**
 * Editing `[secrets].required` in wrangler.toml text: `wrangler dev` loads from .dev.vars only the
 * names listed there (and `wrangler deploy` checks them), so the list must follow the config.
 */

/** The `[secrets]` table's span in the text, up to the next table header. */
function secretsTable(toml: string): { start: number; end: number } | null {
  const header = /^\[secrets\][ \t]*(#.*)?$/m.exec(toml);
  if (!header) return null;
  const start = header.index + header[0].length;
  const next = /^[ \t]*\[/m.exec(toml.slice(start));
  return { start, end: next ? start + next.index : toml.length };
}

/**
 * The text with `names` appended to `[secrets].required` (kept on one line), or `null` when there is no
 * `[secrets]` table (then wrangler loads every .dev.vars name and nothing needs listing).
 * @example addRequiredSecrets('[secrets]\nrequired = ["A"]\n', ["B"]) // '[secrets]\nrequired = ["A", "B"]\n'
 */
export function addRequiredSecrets(toml: string, names: readonly string[]): string | null {
  const table = secretsTable(toml);
  if (!table) return null;
  const body = toml.slice(table.start, table.end);
  const line = /^[ \t]*required[ \t]*=[ \t]*\[([^\]]*)\]/m.exec(body);
  const existing = line ? [...line[1]!.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2]!) : [];
  const all = [...existing, ...names.filter((n, i) => !existing.includes(n) && names.indexOf(n) === i)];
  const rendered = `required = [${all.map((n) => JSON.stringify(n)).join(", ")}]`;
  const newBody = line ? body.slice(0, line.index) + rendered + body.slice(line.index + line[0].length) : `\n${rendered}${body}`;
  return toml.slice(0, table.start) + newBody + toml.slice(table.end);
}
