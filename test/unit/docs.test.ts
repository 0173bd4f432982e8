/** Docs stay true to the code: every preset is listed in the README and has a row in docs/providers.md. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/providers";

const read = (relative: string) => readFileSync(fileURLToPath(new URL(relative, import.meta.url).href), "utf8");
const readme = read("../../README.md");
const table = read("../../docs/providers.md");

describe("docs list every preset", () => {
  it.each([...PRESETS.keys()])("%s is in the README and in the provider table", (id) => {
    expect(readme).toContain(`\`${id}\``);
    expect(table).toMatch(new RegExp(`^\\| \`[^|]*\\b${id.replace(/-/g, "\\-")}\\b`, "m"));
  });

  it("the README names exactly as many presets as the code has", () => {
    const section = readme.slice(readme.indexOf("## Providers"), readme.indexOf("## Configuration"));
    expect(section).toContain(`${PRESETS.size} presets`);
  });
});
