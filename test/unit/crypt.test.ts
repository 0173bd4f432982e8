/**
 * Envelope encryption at rest (src/crypt): round trip, wrong key, rotation, tamper and swap
 * detection, key format; and the config contract for settings.encryptionKeys (fail closed, never echo).
 */
import { describe, expect, it } from "vitest";
import { referencedSecrets } from "../../src/check/secrets";
import { parseConfig } from "../../src/config";
import { deadReason } from "../../src/delivery/dead-reason";
import { decodeEncryptionKey, encryptionKeyId, keyringOf, newDataKey, openDataKey, openPart, sealPart, type DataKey, type EncryptionKey } from "../../src/crypt";
import { toBase64 } from "../../src/shared/bytes";

const keyA = new Uint8Array(32).fill(0xa1);
const keyB = new Uint8Array(32).fill(0xb2);
const ring = (...keys: [string, Uint8Array][]) => keyringOf(keys.map(([name, bytes]): EncryptionKey => ({ name, bytes })));
const body = new TextEncoder().encode('{"card":"4242424242424242","secret":"distinctive-plaintext"}');
const contains = (haystack: Uint8Array, needle: Uint8Array) => Buffer.from(haystack).includes(Buffer.from(needle));

/** Seal `body` under a keyring; return the envelope and sealed body. */
async function sealed(keys: Awaited<ReturnType<typeof ring>>) {
  const { dataKey, envelope } = await newDataKey(keys!, "stripe:evt_1");
  return { envelope, sealedBody: await sealPart(dataKey, "body", body) };
}

describe("envelope encryption", () => {
  it("round trip: what the primary key seals opens, and the stored bytes hold no plaintext", async () => {
    const keys = await ring(["KEY_A", keyA]);
    const { envelope, sealedBody } = await sealed(keys);
    expect(envelope).toMatchObject({ v: 1, keyId: await encryptionKeyId(keyA), keyName: "KEY_A" });
    expect(contains(sealedBody, new TextEncoder().encode("distinctive"))).toBe(false);
    expect(sealedBody.byteLength).toBe(body.byteLength + 28);
    const opened = await openDataKey(keys, envelope, "stripe:evt_1");
    expect(opened.ok).toBe(true);
    expect(await openPart((opened as { dataKey: DataKey }).dataKey, "body", sealedBody)).toEqual(body);
  });

  it("each event gets its own data key and IV: the same body seals differently", async () => {
    const keys = await ring(["KEY_A", keyA]);
    const [one, two] = [await sealed(keys), await sealed(keys)];
    expect(toBase64(one.sealedBody)).not.toBe(toBase64(two.sealedBody));
    expect(toBase64(one.envelope.wrapped)).not.toBe(toBase64(two.envelope.wrapped));
  });

  it("a keyring without the sealing key cannot open it: encryption_key_unavailable, naming the key id and secret, not a throw", async () => {
    const { envelope } = await sealed(await ring(["KEY_A", keyA]));
    const opened = await openDataKey(await ring(["KEY_B", keyB]), envelope, "stripe:evt_1");
    expect(opened).toMatchObject({ ok: false, reason: "encryption_key_unavailable" });
    expect((opened as { message: string }).message).toContain(envelope.keyId);
    expect((opened as { message: string }).message).toContain("KEY_A");
    expect(await openDataKey(null, envelope, "stripe:evt_1")).toMatchObject({ ok: false, reason: "encryption_key_unavailable" });
  });

  it("a different key under the old id (a new value put under the same secret, same id forged) fails the integrity check", async () => {
    const { envelope } = await sealed(await ring(["KEY_A", keyA]));
    const forged = { ...envelope, keyId: await encryptionKeyId(keyB) };
    expect(await openDataKey(await ring(["KEY_A", keyB]), forged, "stripe:evt_1")).toMatchObject({ ok: false, reason: "payload_unreadable" });
  });

  it("rotation: after [B, A], new events are sealed by B and events sealed by A still open", async () => {
    const old = await sealed(await ring(["KEY_A", keyA]));
    const rotated = await ring(["KEY_B", keyB], ["KEY_A", keyA]);
    const opened = await openDataKey(rotated, old.envelope, "stripe:evt_1");
    expect(opened.ok).toBe(true);
    expect(await openPart((opened as { dataKey: DataKey }).dataKey, "body", old.sealedBody)).toEqual(body);
    const fresh = await sealed(rotated);
    expect(fresh.envelope).toMatchObject({ keyId: await encryptionKeyId(keyB), keyName: "KEY_B" });
    expect((await openDataKey(await ring(["KEY_A", keyA]), fresh.envelope, "stripe:evt_1")).ok).toBe(false);
  });

  it("tampering is detected: a flipped bit in the body or the wrapped key, a piece moved to another part or event", async () => {
    const keys = await ring(["KEY_A", keyA]);
    const { envelope, sealedBody } = await sealed(keys);
    const { dataKey } = (await openDataKey(keys, envelope, "stripe:evt_1")) as { dataKey: DataKey };
    for (const at of [0, 12, sealedBody.byteLength - 1]) {
      const flipped = sealedBody.slice();
      flipped[at]! ^= 1;
      expect(await openPart(dataKey, "body", flipped)).toBeNull();
    }
    expect(await openPart(dataKey, "headers", sealedBody)).toBeNull(); // the body offered as headers
    expect(await openPart(dataKey, "body", sealedBody.subarray(0, 20))).toBeNull(); // truncated
    const wrapped = envelope.wrapped.slice();
    wrapped[20]! ^= 1;
    expect(await openDataKey(keys, { ...envelope, wrapped }, "stripe:evt_1")).toMatchObject({ ok: false, reason: "payload_unreadable" });
    expect(await openDataKey(keys, envelope, "stripe:evt_2")).toMatchObject({ ok: false, reason: "payload_unreadable" }); // another event's envelope
  });

  it("key format: standard base64 of exactly 32 bytes", () => {
    expect(decodeEncryptionKey(toBase64(keyA))).toEqual(keyA);
    for (const bad of ["", toBase64(keyA.subarray(0, 31)), toBase64(new Uint8Array(33)), toBase64(keyA).replace(/=$/, ""), "not base64 at all!", `${toBase64(keyA)}\n`]) {
      expect(decodeEncryptionKey(bad)).toBeNull();
    }
  });
});

describe("settings.encryptionKeys in the config", () => {
  const value = toBase64(keyA);
  const config = (keys: unknown) => ({
    sources: { gh: { provider: "github", secrets: ["GH"], destinations: ["d"] } },
    destinations: { d: { url: "https://hooks.example.com/x", secret: "D" } },
    settings: { encryptionKeys: keys },
  });
  const bindings = { GH: "x", D: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", KEY_A: value, KEY_B: toBase64(keyB), SHORT: "c2hvcnQ=", PLAIN: "correct horse battery staple" };

  it("lists the keys in order, decoded", () => {
    const result = parseConfig(config(["KEY_B", "KEY_A"]), bindings);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.encryptionKeys).toEqual([{ name: "KEY_B", bytes: keyB }, { name: "KEY_A", bytes: keyA }]);
  });

  it("absent: encryption off", () => {
    const result = parseConfig({ ...config([]), settings: {} }, bindings);
    expect(result.ok && result.config.encryptionKeys).toEqual([]);
  });

  it("a missing or malformed key fails the whole config with its path; the value is never shown", () => {
    const result = parseConfig(config(["KEY_A", "MISSING", "SHORT", "PLAIN"]), bindings);
    expect(result.ok).toBe(false);
    const problems = (result as { problems: string[] }).problems;
    expect(problems).toEqual([
      expect.stringMatching(/^EDGEHOOK\.settings\.encryptionKeys\.1: Worker secret "MISSING" is not set/),
      expect.stringMatching(/^EDGEHOOK\.settings\.encryptionKeys\.2: Worker secret "SHORT" does not hold an encryption key \(standard base64 of 32 random bytes/),
      expect.stringMatching(/^EDGEHOOK\.settings\.encryptionKeys\.3: Worker secret "PLAIN" does not hold an encryption key/),
    ]);
    expect(problems.join("\n")).not.toContain("c2hvcnQ");
    expect(problems.join("\n")).not.toContain("horse");
  });

  it("npm run check knows the key secrets (so a missing one in .dev.vars or [secrets].required is named)", () => {
    const uses = referencedSecrets(config(["KEY_B", "KEY_A"]));
    expect(uses).toEqual(expect.arrayContaining([{ name: "KEY_B", path: "EDGEHOOK.settings.encryptionKeys.0" }, { name: "KEY_A", path: "EDGEHOOK.settings.encryptionKeys.1" }]));
  });

  it("a key value pasted where its name belongs is refused without echo; an empty list is refused", () => {
    const pasted = parseConfig(config([value]), bindings);
    expect(pasted.ok).toBe(false);
    expect((pasted as { problems: string[] }).problems.join("\n")).not.toContain(value.slice(0, 12));
    expect(parseConfig(config([]), bindings)).toMatchObject({ ok: false, problems: [expect.stringContaining("EDGEHOOK.settings.encryptionKeys: list at least one key")] });
  });
});

describe("the dead reason of a task whose payload cannot be read", () => {
  it("keeps encryption_key_unavailable / payload_unreadable; anything else is poison_message", () => {
    expect(deadReason(new Error("encryption_key_unavailable: this event was encrypted under key id x"))).toBe("encryption_key_unavailable");
    expect(deadReason(new Error("payload_unreadable: the stored payload failed its integrity check"))).toBe("payload_unreadable");
    expect(deadReason(new Error("TypeError: a lost chunk"))).toBe("poison_message");
    expect(deadReason(new Error("see encryption_key_unavailable: elsewhere"))).toBe("poison_message");
    expect(deadReason(null)).toBe("poison_message");
  });
});
