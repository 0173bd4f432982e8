/** `npm run listen`, pure parts: the listen destination's config and the hub's wire (acks are untrusted). */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { classifyResponse } from "../../src/delivery/classify";
import { attemptOf, deliveryFrame, MAX_ACK_CHARS, MAX_LISTEN_BODY_BYTES, parseAck } from "../../src/listen/protocol";

const secrets = { SW: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", DEST: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
const withDestination = (destination: Record<string, unknown>) => ({
  sources: { s: { provider: "standard-webhooks", secrets: ["SW"], destinations: ["laptop"] } },
  destinations: { laptop: { secret: "DEST", ...destination } },
});
const problems = (destination: Record<string, unknown>) => {
  const result = parseConfig(withDestination(destination), secrets);
  return result.ok ? [] : result.problems;
};

describe("listen destination config", () => {
  it('kind = "listen" needs no url (and no allowPrivateNetwork); the http default still needs one', () => {
    const result = parseConfig(withDestination({ kind: "listen" }), secrets);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.destinations.get("laptop")!.config).toMatchObject({ kind: "listen", timeoutMs: 10_000 });
    expect(problems({})).toEqual([expect.stringMatching(/^EDGEHOOK\.destinations\.laptop\.url: required: .*kind = "listen"/)]);
    const http = parseConfig(withDestination({ url: "https://example.com/hooks" }), secrets);
    expect(http.ok && http.config.destinations.get("laptop")!.config.kind).toBe("http");
  });

  it("refuses a listen destination with a url, a batch or a client certificate, and an unknown kind", () => {
    expect(problems({ kind: "listen", url: "https://example.com/hooks" })).toEqual([expect.stringMatching(/^EDGEHOOK\.destinations\.laptop\.url: a listen destination has no url/)]);
    expect(problems({ kind: "listen", batch: { maxEvents: 5 } })).toEqual([expect.stringMatching(/^EDGEHOOK\.destinations\.laptop\.batch: a listen destination delivers one event at a time/)]);
    expect(problems({ kind: "listen", mtlsCertificate: "CLIENT_CERT" })).toEqual([expect.stringMatching(/^EDGEHOOK\.destinations\.laptop\.mtlsCertificate: a listen destination opens no TLS connection/)]);
    expect(problems({ kind: "tunnel" })[0]).toMatch(/^EDGEHOOK\.destinations\.laptop\.kind: /);
  });
});

describe("listen wire", () => {
  it("a delivery frame carries the headers and the exact body bytes", () => {
    const body = new Uint8Array([0, 255, 123, 34, 10]);
    const frame = JSON.parse(deliveryFrame("d1", { "webhook-id": "msg_1" }, body));
    expect(frame).toEqual({ type: "delivery", id: "d1", headers: { "webhook-id": "msg_1" }, body: Buffer.from(body).toString("base64") });
    const large = new Uint8Array(200_000).map((_, i) => i % 251);
    expect(Buffer.from(JSON.parse(deliveryFrame("d2", {}, large)).body, "base64").equals(Buffer.from(large))).toBe(true);
  });

  it("an ack's status is the local server's answer, its snippet capped", () => {
    expect(parseAck('{"type":"ack","id":"d1","status":204}')).toEqual({ id: "d1", answer: { kind: "answered", status: 204, snippet: "" } });
    const long = parseAck(JSON.stringify({ type: "ack", id: "d1", status: 500, snippet: "x".repeat(2000) }));
    expect(long?.answer).toEqual({ kind: "answered", status: 500, snippet: "x".repeat(512) });
    expect(parseAck('{"type":"ack","id":"d1","status":0,"error":"ECONNREFUSED"}')?.answer).toEqual({ kind: "lost", reason: "the local server did not answer: ECONNREFUSED" });
  });

  it.each([
    ["not JSON", "ack d1 200"],
    ["binary", new ArrayBuffer(8)],
    ["another type", '{"type":"delivery","id":"d1","status":200}'],
    ["no id", '{"type":"ack","status":200}'],
    ["a long id", JSON.stringify({ type: "ack", id: "x".repeat(65), status: 200 })],
    ["a fractional status", '{"type":"ack","id":"d1","status":200.5}'],
    ["a string status", '{"type":"ack","id":"d1","status":"200"}'],
    ["too long", JSON.stringify({ type: "ack", id: "d1", status: 200, snippet: "x".repeat(MAX_ACK_CHARS) })],
    ["null", "null"],
  ])("ignores a frame that is %s", (_name, frame) => {
    expect(parseAck(frame)).toBeNull();
  });

  it("nobody listening is a retried no_listener attempt; a lost ack a retried network error", () => {
    const policy = { maxAttempts: 5, baseSeconds: 10, capSeconds: 300 };
    const none = attemptOf({ kind: "no_listener" }, 3);
    expect(none).toMatchObject({ status: 0, transportError: "no_listener" });
    expect(classifyResponse(none, 1, policy, 0, 1)).toEqual({ kind: "retry", delaySeconds: 10, error: "no_listener" });
    expect(classifyResponse(none, 5, policy, 0, 1)).toEqual({ kind: "dead", error: "no_listener_attempts_exhausted" });
    expect(classifyResponse(attemptOf({ kind: "lost", reason: "gone" }, 3), 1, policy, 0, 1)).toMatchObject({ kind: "retry", error: "network" });
    expect(classifyResponse(attemptOf({ kind: "timeout" }, 3), 1, policy, 0, 1)).toMatchObject({ kind: "retry", error: "timeout" });
    expect(classifyResponse(attemptOf({ kind: "answered", status: 200, snippet: "" }, 3), 1, policy, 0, 1)).toEqual({ kind: "delivered" });
    const large = attemptOf({ kind: "too_large", bytes: MAX_LISTEN_BODY_BYTES + 1 }, 3);
    expect(classifyResponse(large, 1, policy, 0, 1)).toEqual({ kind: "dead", error: "undeliverable" }); // final: every attempt would be too large
    expect(large.snippet).toContain(`${MAX_LISTEN_BODY_BYTES + 1} bytes`);
  });
});
