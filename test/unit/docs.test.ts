/** Docs stay true to the code: every preset is listed in the README and has a row in docs/providers.md. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/providers";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const table = readFileSync(new URL("../../docs/providers.md", import.meta.url), "utf8");

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
