/** Pure parts of issue 12 item 2: the header encoding, well-formed identities, the poison and undeliverable policies. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { classifyResponse, isTransient, poisonVerdict, POISON_AFTER_ATTEMPTS } from "../../src/delivery";
import { identityProblem, MAX_EVENT_TYPE_LENGTH, MAX_ORDERING_KEY_LENGTH } from "../../src/ingest/wellformed";
import { forwardedValue, headerSafe } from "../../src/shared/header";

const policy = { maxAttempts: 15, baseSeconds: 60, capSeconds: 86_400 };

describe("headerSafe", () => {
  it("leaves printable ASCII alone and percent-encodes the rest as UTF-8, '%' and spaces at either end", () => {
    expect(headerSafe("evt_1A2b-3.c:d/e")).toBe("evt_1A2b-3.c:d/e");
    expect(headerSafe("invoice paid")).toBe("invoice paid");
    expect(headerSafe("")).toBe("");
    expect(headerSafe("a\u0000b\r\nc")).toBe("a%00b%0D%0Ac");
    expect(headerSafe("100%")).toBe("100%25");
    expect(headerSafe(" x ")).toBe("%20x%20");
    expect(headerSafe(" ")).toBe("%20");
    expect(headerSafe("\u202eexe.pdf")).toBe("%E2%80%AEexe.pdf");
    expect(headerSafe("\u0085\u007f\t")).toBe("%C2%85%7F%09");
    expect(headerSafe("é")).toBe("%C3%A9");
  });

  it("always gives a value a header keeps as it is, and decodeURIComponent gives the original back", () => {
    const plain = /^[\x21-\x7e]?([\x20-\x7e]*[\x21-\x7e])?$/;
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }).map((s) => s.toWellFormed()), (value) => {
        const safe = headerSafe(value);
        return plain.test(safe) && new Headers({ x: safe }).get("x") === safe && decodeURIComponent(safe) === value;
      }),
      { numRuns: 200 },
    );
  });
});

describe("forwardedValue", () => {
  it("passes ordinary header values (HTAB and non-ASCII included) unchanged and percent-encodes one holding a control character", () => {
    for (const plain of ["issues", "a\tb", "100%", " x ", "caf\u00e9"]) expect(forwardedValue(plain)).toBe(plain);
    expect(forwardedValue("issues\u0001x")).toBe("issues%01x");
    expect(forwardedValue("a\r\nx-injected: 1")).toBe("a%0D%0Ax-injected: 1");
    expect(forwardedValue("\u007f")).toBe("%7F");
  });
});

describe("identityProblem", () => {
  const ok = { eventId: "evt_\u0000\r\n\u202e🦀", eventType: "t\u0085", orderingKey: null };
  it("refuses lone surrogates in the id, type or ordering key, and accepts control, bidi and paired characters", () => {
    expect(identityProblem(ok)).toBeNull();
    expect(identityProblem({ ...ok, eventId: "a\ud800" })).toContain("event id");
    expect(identityProblem({ ...ok, eventType: "\udfffx" })).toContain("event type");
    expect(identityProblem({ ...ok, orderingKey: "k\udc00" })).toContain("ordering key");
    expect(identityProblem({ ...ok, orderingKey: "\ud83e\udd80" })).toBeNull(); // a pair is one character
    expect(identityProblem({ ...ok, providerEventId: "p\ud800" })).toContain("provider event id");
  });

  it("refuses a type or ordering key too long to travel in a header, at the documented bounds", () => {
    expect(identityProblem({ ...ok, eventType: "t".repeat(MAX_EVENT_TYPE_LENGTH) })).toBeNull();
    expect(identityProblem({ ...ok, eventType: "t".repeat(MAX_EVENT_TYPE_LENGTH + 1) })).toContain("event type is longer");
    expect(identityProblem({ ...ok, orderingKey: "k".repeat(MAX_ORDERING_KEY_LENGTH) })).toBeNull();
    expect(identityProblem({ ...ok, orderingKey: "k".repeat(MAX_ORDERING_KEY_LENGTH + 1) })).toContain("ordering key is longer");
  });
});

describe("poison policy", () => {
  it("retries an exception until the message's POISON_AFTER_ATTEMPTS-th delivery, then ends it dead", () => {
    const error = new TypeError("boom");
    for (let attempts = 1; attempts < POISON_AFTER_ATTEMPTS; attempts++) expect(poisonVerdict(error, attempts)).toBe("retry");
    expect(poisonVerdict(error, POISON_AFTER_ATTEMPTS)).toBe("dead");
    expect(poisonVerdict("a string", POISON_AFTER_ATTEMPTS + 10)).toBe("dead");
  });

  it("keeps retrying errors the runtime marks transient (the queue's max_retries and dead-letter queue bound them)", () => {
    const overloaded = Object.assign(new Error("Durable Object is overloaded"), { overloaded: true });
    const reset = Object.assign(new Error("Network connection lost"), { retryable: true });
    expect(isTransient(overloaded) && isTransient(reset)).toBe(true);
    expect(isTransient(new Error("x")) || isTransient(null) || isTransient({ retryable: "yes" })).toBe(false);
    expect(poisonVerdict(overloaded, 50)).toBe("retry");
    expect(poisonVerdict(reset, 50)).toBe("retry");
  });

  it("an attempt whose request cannot be built is dead at once (undeliverable), not retried", () => {
    const decision = classifyResponse({ status: 0, latencyMs: 1, transportError: "undeliverable" }, 1, policy, 0, 0.5);
    expect(decision).toEqual({ kind: "dead", error: "undeliverable" });
    expect(classifyResponse({ status: 0, latencyMs: 1, transportError: "network" }, 1, policy, 0, 0.5).kind).toBe("retry");
  });
});
