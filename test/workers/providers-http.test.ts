/**
 * Every preset over HTTP in workerd, through the real worker: a signed sample is accepted (202) and
 * identified, a repeat is a duplicate, a tampered signature is a 401 with its reason code.
 */
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/providers";
import { PRESET_CONFIG, PRESET_IDS, PRESET_SIGNING, presetSource } from "../support/preset-fixtures";
import { sampleEvent, signRequest, type SignedRequest } from "../support/signer";
import { inspect, post } from "./helpers";

/** Presets whose sample carries a provider event id (the others fall back to SHA-256 of the body). */
const HASHED_ID = new Set(["lemon-squeezy", "calendly", "dropbox", "sendgrid", "cloudflare", "generic-token", "generic-ed25519", "asana", "twilio", "microsoft-graph"]);

export async function signPreset(preset: string, body?: string): Promise<SignedRequest> {
  const config = PRESET_CONFIG[preset]!;
  return signRequest({
    preset,
    secret: PRESET_SIGNING[preset]!,
    body: body ?? sampleEvent(preset),
    url: (config.publicUrl as string | undefined) ?? `https://edgehook.test/webhooks/${presetSource(preset)}`,
    tokenHeader: config.tokenHeader as string | undefined,
    scheme: config.scheme as never,
  });
}

/** POST to the preset's source; twilio JSON bodies go to the signed URL's query. */
function send(preset: string, signed: SignedRequest): Promise<Response> {
  const query = signed.url ? new URL(signed.url).search : "";
  return post(`${presetSource(preset)}${query}`, signed);
}


describe.each(PRESET_IDS)("%s over HTTP", (preset) => {
  it("accepts a signed sample once, identifies it, and answers a repeat as a duplicate", async () => {
    const signed = await signPreset(preset);
    const res = await send(preset, signed);
    const ack = PRESETS.get(preset)!.acknowledgement;
    // Presets whose provider needs its own acknowledgement body carry the outcome in headers.
    const json = ack === undefined
      ? ((await res.json()) as { status: string; id: string })
      : { status: res.headers.get("edgehook-status")!, id: res.headers.get("edgehook-event-id")!, body: await res.text() };
    expect(res.status, JSON.stringify(json)).toBe(202);
    expect(json.status).toBe("accepted");
    if (ack !== undefined) expect(json).toMatchObject({ body: ack });
    if (!HASHED_ID.has(preset)) expect(json.id.startsWith("sha256:")).toBe(false);
    const view = await inspect(presetSource(preset), json.id);
    expect(view?.event.eventType).not.toBe("unknown");
    const again = await send(preset, signed);
    expect(again.status).toBe(200);
    expect(again.headers.get("edgehook-status")).toBe("duplicate");
    expect(again.headers.get("edgehook-event-id")).toBe(json.id);
    if (ack === undefined) expect(await again.json()).toEqual({ status: "duplicate", id: json.id });
    else expect(await again.text()).toBe(ack);
  });

  it("rejects the sample when signed with another secret", async () => {
    const signing = PRESET_SIGNING[preset]!;
    const other = preset === "adyen" ? "00".repeat(32) : preset === "sendgrid" ? null : preset === "discord" || preset === "generic-ed25519" ? "11".repeat(32) : signing.startsWith("whs") ? "whsec_b3RoZXIta2V5LW90aGVyLWtleS0wMDAwMDE=" : preset === "airtable" || preset === "zendesk" ? btoa("other") : `${signing}-other`;
    if (other === null) return; // sendgrid: covered by the unit contract (needs a second P-256 key)
    const config = PRESET_CONFIG[preset]!;
    const signed = await signRequest({ preset, secret: other, body: sampleEvent(preset), url: (config.publicUrl as string | undefined) ?? `https://edgehook.test/webhooks/${presetSource(preset)}`, tokenHeader: config.tokenHeader as string | undefined, scheme: config.scheme as never });
    const res = await send(preset, signed);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("signature_invalid");
  });
});

