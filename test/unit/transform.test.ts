/** Transform policy in node: loop guards, output checks, URL paths, config references. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { applyOutput, guardLoops, targetUrl, transformFor, transformInput } from "../../src/transform";
// @ts-expect-error plain ESM script without types
import { checkTransformsOffline } from "../../scripts/check-transforms.mjs";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Run guarded code with a tick budget; returns [result, ticks]. */
function runGuarded(body: string, budget = 1_000_000): { value?: unknown; error?: string; ticks: number } {
  let ticks = 0;
  const tick = () => {
    if (++ticks > budget) throw new Error("budget");
    return true;
  };
  function* iter(items: Iterable<unknown>) {
    for (const item of items) {
      tick();
      yield item;
    }
  }
  try {
    const value = new Function("__eh_tick", "__eh_iter", guardLoops(body))(tick, iter) as unknown;
    return { value, ticks };
  } catch (error) {
    return { error: (error as Error).message, ticks };
  }
}

describe("guardLoops", () => {
  it("ends every kind of runaway loop", () => {
    for (const loop of ["while (true) {}", "for (;;) {}", "do {} while (1)", "for (let i = 0; i >= 0; i++) {}", "const a = [1]; for (const x of a) a.push(x);", "while (true) { try { for (;;) {} } catch {} }", "label: for (;;) { continue label; }"]) {
      expect(runGuarded(loop, 10_000), loop).toMatchObject({ error: "budget" });
    }
  });

  it("keeps what finite loops compute, and leaves strings, comments, regexes and properties alone", () => {
    const body = `
      let s = 0; for (let i = 0; i < 10; i++) s += i;          // 45
      let j = 0; while (j < 5) j++;                              // for (;;) in a comment
      let k = 0; do { k += 2 } while (k < 6);
      const items = []; for (const x of [1, 2, 3]) items.push(x * 2);
      const keys = []; for (const key in { a: 1, b: 2 }) keys.push(key);
      const t = \`while (\${"for(;;)"}) \${ \`nested \${s}\` }\`;
      const r = /while\\(x\\)/.test("while(x)");
      const o = { while: 1, for: 2 }; const p = o.while + o.for;
      const ratio = s / 5 / 3;
      return [s, j, k, items, keys, t, r, p, ratio, 'for (;;) {}'];`;
    const run = runGuarded(body);
    expect(run.error).toBeUndefined();
    expect(run.value).toEqual([45, 5, 6, [2, 4, 6], ["a", "b"], "while (for(;;)) nested 45", true, 3, 3, "for (;;) {}"]);
    expect(run.ticks).toBeGreaterThan(0);
  });
});

describe("applyOutput", () => {
  const event = { source: "stripe", eventId: "evt_1", eventType: "payment.succeeded", headers: { "content-type": "application/json", "x-orig": "1" }, payload: utf8('{"id":"pi_1","amount":1250}') };

  it("gives the transform the parsed payload, the text of a non-JSON body, and the raw bytes", () => {
    expect(transformInput(event)).toMatchObject({ payload: { id: "pi_1", amount: 1250 }, raw: btoa('{"id":"pi_1","amount":1250}') });
    expect(transformInput({ ...event, payload: utf8("a=1&b=2") }).payload).toBe("a=1&b=2");
    expect(transformInput({ ...event, payload: new Uint8Array([0xff, 0xfe]) }).payload).toBeNull();
  });

  it("null drops; absent fields keep the original; JSON payloads are sent as JSON, strings as they are", () => {
    expect(applyOutput(event, null)).toEqual({ ok: true, shaped: { dropped: true } });
    const same = applyOutput(event, {});
    expect(same.ok && !same.shaped.dropped && text(same.shaped.payload)).toBe('{"id":"pi_1","amount":1250}');
    const shaped = applyOutput(event, { payload: { total: 12.5 }, headers: { "X-Tenant": "eu" }, eventType: "order.paid", path: "/paid" });
    expect(shaped).toMatchObject({ ok: true, shaped: { dropped: false, eventType: "order.paid", path: "/paid", headers: { "x-orig": "1", "x-tenant": "eu", "content-type": "application/json" } } });
    expect(shaped.ok && !shaped.shaped.dropped && text(shaped.shaped.payload)).toBe('{"total":12.5}');
    const str = applyOutput({ ...event, headers: { "content-type": "text/plain" } }, { payload: "plain text" });
    expect(str.ok && !str.shaped.dropped && [text(str.shaped.payload), str.shaped.headers["content-type"]]).toEqual(["plain text", "text/plain"]);
  });

  it("refuses outputs that cannot be sent, saying why", () => {
    const refused: [unknown, RegExp][] = [
      [undefined, /return an object/],
      [[1], /return an object/],
      [{ body: 1 }, /unknown key "body"/],
      [{ headers: { "webhook-signature": "v1,x" } }, /set by Edgehook/],
      [{ headers: { "edgehook-source": "x" } }, /set by Edgehook/],
      [{ headers: { host: "evil.example" } }, /set by Edgehook/],
      [{ headers: { "x-a": "line\r\nbreak" } }, /without CR, LF or NUL/],
      [{ headers: { "x-a": 1 } }, /must be a string/],
      [{ headers: { "bad name": "1" } }, /not a header name/],
      [{ eventType: "" }, /eventType/],
      [{ eventType: "x".repeat(257) }, /eventType/],
      [{ path: "orders" }, /path must start/],
      [{ path: "//evil.example/x" }, /path must start/],
      [{ path: "/a/../../admin" }, /path must start/],
      [{ path: "/a b" }, /path must start/],
    ];
    for (const [output, reason] of refused) {
      const result = applyOutput(event, output);
      expect(result.ok, JSON.stringify(output)).toBe(false);
      if (!result.ok) expect(result.error).toMatch(reason);
    }
  });

  it("appends a path to the destination URL, never leaving its origin", () => {
    expect(targetUrl("https://svc.example/hooks", "/orders")).toBe("https://svc.example/hooks/orders");
    expect(targetUrl("https://svc.example/hooks/", "/orders?v=2")).toBe("https://svc.example/hooks/orders?v=2");
    expect(targetUrl("https://svc.example/hooks?k=1", "/o")).toBe("https://svc.example/hooks/o?k=1");
    expect(targetUrl("https://svc.example/hooks", null)).toBe("https://svc.example/hooks");
    expect(new URL(targetUrl("https://svc.example/", "/@evil.example")).origin).toBe("https://svc.example");
  });
});

describe("transform config", () => {
  const secrets = { S: "whsec_x", D: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
  const base = (extra: { routes?: unknown[]; dest?: Record<string, unknown>; transforms?: Record<string, unknown> }) => ({
    sources: { s: { provider: "stripe", secrets: ["S"], destinations: extra.routes ?? ["d"] } },
    destinations: { d: { url: "https://d.example/h", secret: "D", ...extra.dest }, e: { url: "https://e.example/h", secret: "D" } },
    transforms: extra.transforms ?? { slim: { code: "export default (e) => e" }, other: { code: "export default () => null" } },
  });
  const problems = (config: unknown) => {
    const result = parseConfig(config, secrets);
    return result.ok ? [] : result.problems;
  };

  it("resolves the route's transform first, then the destination's", () => {
    const result = parseConfig(base({ routes: [{ destination: "d", transform: "other" }, "e"], dest: { transform: "slim" } }), secrets);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(transformFor(result.config.raw, "s", "d")?.name).toBe("other");
    expect(transformFor(result.config.raw, "s", "e")).toBeNull();
    const destOnly = parseConfig(base({ dest: { transform: "slim" } }), secrets);
    expect(destOnly.ok && transformFor(destOnly.config.raw, "s", "d")?.name).toBe("slim");
  });

  it("refuses unknown names, transforms on batched destinations, disagreeing routes and oversized code", () => {
    expect(problems(base({ dest: { transform: "nope" } }))).toEqual(['EDGEHOOK.destinations.d.transform: transform "nope" is not defined under transforms']);
    expect(problems(base({ routes: [{ destination: "d", transform: "nope" }] }))).toEqual(['EDGEHOOK.sources.s.destinations.0.transform: transform "nope" is not defined under transforms']);
    expect(problems(base({ dest: { transform: "slim", batch: { maxEvents: 5 } } })).join()).toMatch(/cannot be combined with batch/);
    expect(problems(base({ routes: [{ destination: "d", types: ["a.*"], transform: "slim" }, { destination: "d", types: ["b.*"], transform: "other" }] })).join()).toMatch(/must agree/);
    expect(problems(base({ transforms: { slim: { code: "x".repeat(64 * 1024 + 1) } }, dest: { transform: "slim" } })).join()).toMatch(/64 KiB/);
    expect(problems(base({ transforms: { slim: { code: "export default (e) => e", extra: 1 } } })).join()).toMatch(/extra/);
  });

  it("resolves a repository file bundled by npm run transforms, and refuses files that are not bundled", () => {
    const result = parseConfig(base({ transforms: { slim: { file: "transforms/slim-order.js" } }, dest: { transform: "slim" } }), secrets);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(transformFor(result.config.raw, "s", "d")?.code).toBe(readFileSync(fileURLToPath(new URL("../../transforms/slim-order.js", import.meta.url).href), "utf8"));
    expect(problems(base({ transforms: { slim: { file: "transforms/missing.js" } } })).join()).toMatch(/"transforms\/missing.js" is not bundled: .*npm run transforms/);
    expect(problems(base({ transforms: { slim: { file: "../secrets.js" } } })).join()).toMatch(/a path under transforms\//);
    expect(problems(base({ transforms: { slim: { file: "transforms/../x.js" } } })).join()).toMatch(/a path under transforms\//);
    expect(problems(base({ transforms: { slim: { code: "export default (e) => e", file: "transforms/slim-order.js" } } })).join()).toMatch(/exactly one of code and file/);
    expect(problems(base({ transforms: { slim: {} } })).join()).toMatch(/exactly one of code and file/);
  });
});

describe("checkTransformsOffline (for npm run check)", () => {
  it("passes code that can load and names each transform that cannot, with the reason", async () => {
    const problems = (await checkTransformsOffline({
      good: { code: "export default async function transform(event) { return { payload: event.payload }; }" },
      platform: { code: 'import { env } from "cloudflare:workers"; export default () => null;' },
      file: { file: "transforms/slim-order.js" },
      syntax: { code: "export default function (event {" },
      noDefault: { code: "export function transform(event) { return null; }" },
      imports: { code: 'import { z } from "zod"; export default () => z;' },
      missingFile: { file: "transforms/none.js" },
    })) as string[];
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^EDGEHOOK\.transforms\.syntax: the code does not load at line 1/);
    expect(problems[1]).toMatch(/^EDGEHOOK\.transforms\.noDefault: the module has no default export/);
    expect(problems[2]).toMatch(/^EDGEHOOK\.transforms\.imports: .*cannot import "zod"/);
    expect(problems[3]).toMatch(/^EDGEHOOK\.transforms\.missingFile\.file: cannot read/);
  });
});
