/**
 * One signer for every scheme Edgehook verifies, for tests and `npm run send`. Self-contained
 * (WebCrypto only, erasable TypeScript) so both workerd tests and Node 22 scripts import it.
 * The clock is injectable: pass `now` (ms).
 */

export type Algorithm = "sha1" | "sha256" | "sha512";

/** A generic-hmac scheme, as in the source config. */
export interface GenericScheme {
  header: string;
  algorithm?: Algorithm;
  encoding?: "hex" | "base64";
  prefix?: string;
  template?: string;
  timestampHeader?: string;
  idHeader?: string;
}

export interface SignInput {
  preset: string;
  secret: string;
  body: string | Uint8Array;
  /** Milliseconds since the epoch; defaults to Date.now(). */
  now?: number;
  /** Event/message id for schemes that carry one in a header. */
  id?: string;
  /** GitHub event name (X-GitHub-Event). */
  event?: string;
  scheme?: GenericScheme;
}

export interface SignedRequest {
  headers: Record<string, string>;
  body: Uint8Array;
}

const encoder = new TextEncoder();
const HASH = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" } as const;

function bytes(body: string | Uint8Array): Uint8Array {
  return typeof body === "string" ? encoder.encode(body) : body;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

export function hex(data: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(data)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function base64(data: ArrayBuffer | Uint8Array): string {
  let s = "";
  for (const b of new Uint8Array(data)) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** HMAC of `content` with raw key bytes. */
export async function hmac(algorithm: Algorithm, key: Uint8Array, content: Uint8Array): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: HASH[algorithm] }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, content);
}

/** Standard Webhooks key bytes: strip `whsec_`, base64-decode. */
export function standardWebhooksKey(secret: string): Uint8Array {
  return fromBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret);
}

/** Sign a request body as the named preset's provider would. */
export async function signRequest(input: SignInput): Promise<SignedRequest> {
  const body = bytes(input.body);
  const now = input.now ?? Date.now();
  const ts = String(Math.floor(now / 1000));
  const key = encoder.encode(input.secret);
  switch (input.preset) {
    case "stripe": {
      const sig = hex(await hmac("sha256", key, concat(encoder.encode(`${ts}.`), body)));
      return { body, headers: { "content-type": "application/json", "stripe-signature": `t=${ts},v1=${sig}` } };
    }
    case "github": {
      const sig = hex(await hmac("sha256", key, body));
      return {
        body,
        headers: {
          "content-type": "application/json",
          "x-hub-signature-256": `sha256=${sig}`,
          "x-github-event": input.event ?? "issues",
          "x-github-delivery": input.id ?? crypto.randomUUID(),
        },
      };
    }
    case "standard-webhooks": {
      const id = input.id ?? `msg_${crypto.randomUUID().replaceAll("-", "")}`;
      const sig = base64(await hmac("sha256", standardWebhooksKey(input.secret), concat(encoder.encode(`${id}.${ts}.`), body)));
      return {
        body,
        headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": `v1,${sig}` },
      };
    }
    case "generic-hmac": {
      const s = input.scheme;
      if (!s) throw new Error("generic-hmac needs a scheme");
      const id = input.id ?? crypto.randomUUID();
      const [before = "", after = ""] = (s.template ?? "{body}").split("{body}");
      const fill = (t: string) => t.replaceAll("{timestamp}", ts).replaceAll("{id}", id);
      const mac = await hmac(s.algorithm ?? "sha256", key, concat(encoder.encode(fill(before)), body, encoder.encode(fill(after))));
      const headers: Record<string, string> = {
        "content-type": "application/json",
        [s.header]: `${s.prefix ?? ""}${(s.encoding ?? "hex") === "hex" ? hex(mac) : base64(mac)}`,
      };
      if (s.timestampHeader) headers[s.timestampHeader] = ts;
      if (s.idHeader) headers[s.idHeader] = id;
      return { body, headers };
    }
    default:
      throw new Error(`no test signer for preset "${input.preset}"`);
  }
}

/** A realistic sample payload for a preset (fresh ids each call). */
export function sampleEvent(preset: string, type?: string, now = Date.now()): string {
  const rand = () => crypto.randomUUID().replaceAll("-", "").slice(0, 24);
  switch (preset) {
    case "stripe":
      return JSON.stringify({
        id: `evt_${rand()}`,
        object: "event",
        api_version: "2026-10-28",
        created: Math.floor(now / 1000),
        type: type ?? "payment_intent.succeeded",
        livemode: false,
        pending_webhooks: 1,
        data: { object: { id: `pi_${rand()}`, object: "payment_intent", amount: 2000, currency: "usd", status: "succeeded" } },
      });
    case "github":
      return JSON.stringify({
        action: type ?? "opened",
        issue: { number: 42, title: "Webhook deliveries are delayed", state: "open" },
        repository: { id: 1296269, full_name: "octo-org/octo-repo" },
        sender: { login: "octocat" },
      });
    default:
      return JSON.stringify({
        type: type ?? "invoice.paid",
        timestamp: new Date(now).toISOString(),
        data: { id: `inv_${rand()}`, amount: 4200, currency: "eur" },
      });
  }
}
