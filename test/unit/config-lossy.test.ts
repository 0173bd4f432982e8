/**
 * Configs that were accepted and then lost or stalled events (issue 12 item 12): each is now a config
 * error with its path, or (names like `toString`) simply works.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { duplicateKeys, protoKeys } from "../../src/config/json-keys";

const KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const bindings = { S: "whsec_x", D: KEY, SHORT: "whsec_c2hvcnQta2V5", PLAIN: "not a base64 key!", BARE: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
const base = () => ({
  sources: { s: { provider: "stripe", secrets: ["S"], destinations: ["d"] } } as Record<string, Record<string, unknown>>,
  destinations: { d: { url: "https://hooks.example.com/x", secret: "D" } as Record<string, unknown> } as Record<string, Record<string, unknown>>,
  settings: {} as Record<string, unknown>,
});
const problems = (config: unknown) => {
  const result = parseConfig(config, bindings);
  return result.ok ? [] : result.problems;
};

describe("dedupeWindowSeconds has a documented minimum", () => {
  it.each([0, 10, 3599])("%i is refused with its path", (seconds) => {
    const config = base();
    config.settings.dedupeWindowSeconds = seconds;
    expect(problems(config)).toEqual([expect.stringMatching(/^EDGEHOOK\.settings\.dedupeWindowSeconds: at least 3600 \(1 hour\)/)]);
  });
  it("3600 is accepted", () => {
    const config = base();
    config.settings.dedupeWindowSeconds = 3600;
    expect(problems(config)).toEqual([]);
  });
  it("must cover every source's toleranceSeconds, else a captured request is replayable once its id is forgotten", () => {
    const config = base();
    config.settings.dedupeWindowSeconds = 3600;
    config.sources.s!.toleranceSeconds = 7200;
    expect(problems(config)).toEqual([expect.stringMatching(/^EDGEHOOK\.settings\.dedupeWindowSeconds: must be at least sources\.s\.toleranceSeconds \(7200\)/)]);
  });
});

describe("a destination secret must be a Standard Webhooks key", () => {
  it.each([
    ["SHORT", "fewer than 24 bytes"],
    ["PLAIN", "not base64"],
    ["S", "whsec_ but not base64 of a key"],
  ])("%s (%s) is a config error naming the secret, never its value", (name) => {
    const config = base();
    config.destinations.d!.secret = name;
    const found = problems(config);
    expect(found).toEqual([`EDGEHOOK.destinations.d.secret: Worker secret "${name}" does not hold a Standard Webhooks key (whsec_ followed by base64 of at least 24 random bytes, or a whsk_ Ed25519 key: base64 of its 32-byte seed or 64-byte seed and public key); no delivery could be signed`]);
    expect(found.join("\n")).not.toContain(bindings[name as keyof typeof bindings]);
  });
  it("accepts whsec_ keys and bare base64 keys of 24+ bytes (as the delivery signer does)", () => {
    for (const name of ["D", "BARE"]) {
      const config = base();
      config.destinations.d!.secret = name;
      expect(problems(config), name).toEqual([]);
    }
  });
});

describe("names are looked up as own properties", () => {
  it.each(["toString", "constructor", "hasOwnProperty", "valueOf"])("a route to an undefined destination named %s is refused", (name) => {
    const config = base();
    config.sources.s!.destinations = [name];
    expect(problems(config)).toEqual([`EDGEHOOK.sources.s.destinations.0: destination "${name}" is not defined under destinations`]);
  });
  it("destinations and sources named toString or constructor work", () => {
    const config = base();
    config.destinations = { toString: { url: "https://hooks.example.com/x", secret: "D" } };
    config.sources = Object.fromEntries([["constructor", { provider: "stripe", secrets: ["S"], destinations: [{ destination: "toString" }] }]]);
    const result = parseConfig(config, bindings);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.config.sources.keys()]).toEqual(["constructor"]);
    expect(result.config.destinations.get("toString")?.secretValue).toBe(KEY);
  });
  it("a source or destination named __proto__ is a config error, not a silently missing entry", () => {
    const text = '{"sources":{"__proto__":{"provider":"stripe","secrets":["S"]},"s":{"provider":"stripe","secrets":["S"]}}}';
    expect(problems(text)).toEqual(['EDGEHOOK.sources.__proto__: "__proto__" cannot be used as a name or key (it would be dropped silently); rename it']);
    const nested = JSON.parse('{"sources":{"s":{"provider":"stripe","secrets":["S"],"destinations":["d"]}},"destinations":{"d":{"url":"https://hooks.example.com/x","secret":"D","__proto__":{"allowPrivateNetwork":true}}}}');
    expect(problems(nested)).toContain('EDGEHOOK.destinations.d.__proto__: "__proto__" cannot be used as a name or key (it would be dropped silently); rename it');
  });
});

describe("duplicate keys in the EDGEHOOK JSON string", () => {
  it("are a config error naming the duplicated key's path", () => {
    const text =
      '{"sources":{"s":{"provider":"stripe","secrets":["S"],"destinations":["d"]},"s":{"provider":"github","secrets":["S"]}},' +
      '"destinations":{"d":{"url":"https://hooks.example.com/x","secret":"D","retry":{"maxAttempts":3,"maxAttempts":1}}}}';
    expect(problems(text)).toEqual([
      "EDGEHOOK.sources.s: this key is written twice; JSON keeps only the last one silently, so remove one",
      "EDGEHOOK.destinations.d.retry.maxAttempts: this key is written twice; JSON keeps only the last one silently, so remove one",
    ]);
  });
  it("the detector unescapes keys, walks arrays and ignores string values", () => {
    expect(duplicateKeys('{"a":1,"\\u0061":2}')).toEqual(["a"]);
    expect(duplicateKeys('{"a":[{"x":1},{"x":2,"y":"x","x":3}],"b":"a\\"b","c":{"a":1}}')).toEqual(["a.1.x"]);
    expect(duplicateKeys('{"k":"{\\"k\\":1,\\"k\\":2}"}')).toEqual([]);
    expect(duplicateKeys(JSON.stringify(base()))).toEqual([]);
  });
  it("protoKeys finds own __proto__ keys at any depth", () => {
    expect(protoKeys(JSON.parse('{"a":[{"__proto__":{}}],"b":{"c":1}}'))).toEqual(["a.0.__proto__"]);
    expect(protoKeys({ a: { b: 1 } })).toEqual([]);
  });
});
