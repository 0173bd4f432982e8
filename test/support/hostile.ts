/**
 * The hostile-but-valid suite's generators (test/workers/hostile.test.ts): fast-check arbitraries for
 * adversarial ids, types, ordering keys and bodies, a JSON writer that can say what JSON.stringify
 * cannot (exact number tokens, duplicate keys, chosen escapes, deep nesting), and one family per
 * scheme that signs a generated event with the project's signer and says what the gateway must make
 * of it. Every request it builds is validly signed and fresh.
 */
import fc from "fast-check";
import { PRESET_SIGNING } from "./preset-fixtures";
import { HOSTILE_BODY_LIMIT, HOSTILE_ED_SCHEME as ED_SCHEME, HOSTILE_TWILIO_URL, TEST_SECRETS } from "./fixtures";
import { sha256hex, signRequest, type SignedRequest } from "./signer";

// ---------------------------------------------------------------------------------------------
// JSON text

/** A JSON value as text we control: a number token kept verbatim, objects as entry lists (duplicate keys allowed). */
export type JsonNode = string | boolean | null | { num: string } | { raw: string } | { entries: [string, JsonNode][] } | JsonNode[];

/** How strings are escaped: `raw` leaves non-ASCII as UTF-8, `ascii` writes every non-ASCII unit as `\uXXXX`. */
export type Escaping = "raw" | "ascii";

const SHORT: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
const u = (c: number) => `\\u${c.toString(16).padStart(4, "0")}`;

/** A JSON string literal. Controls and lone surrogates are always escaped, so the text is valid JSON and valid UTF-8. */
export function quote(s: string, escaping: Escaping): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = s.charCodeAt(i);
    if (SHORT[ch]) out += SHORT[ch];
    else if (c < 0x20) out += u(c);
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += escaping === "ascii" ? u(c) + u(s.charCodeAt(i + 1)) : ch + s[i + 1]!;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += u(c); // lone surrogate: only an escape can carry it
    else if (c > 0x7e && escaping === "ascii") out += u(c);
    else out += ch;
  }
  return `${out}"`;
}

/** Write a {@link JsonNode} as JSON text. */
export function jsonText(node: JsonNode, escaping: Escaping): string {
  if (node === null || typeof node === "boolean") return String(node);
  if (typeof node === "string") return quote(node, escaping);
  if (Array.isArray(node)) return `[${node.map((n) => jsonText(n, escaping)).join(",")}]`;
  if ("num" in node) return node.num;
  if ("raw" in node) return node.raw;
  return `{${node.entries.map(([k, v]) => `${quote(k, escaping)}:${jsonText(v, escaping)}`).join(",")}}`;
}

const obj = (...entries: [string, JsonNode | undefined][]): JsonNode => ({ entries: entries.filter((e): e is [string, JsonNode] => e[1] !== undefined) });

// ---------------------------------------------------------------------------------------------
// Adversarial values

/** Characters and fragments an id, type or key must survive (or be refused for, before storage). */
export const ATOMS = [
  "\u0000", "\r", "\n", "\r\n", "\t", "\u0001", "\u001b", "\u007f", // C0 + DEL
  "\u0080", "\u0085", "\u009b", "\u009f", // C1
  "\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u200b", "\ufeff", // bidi, zero-width, BOM
  "\ud800", "\udbff", "\udc00", "\udfff", // lone surrogates
  "\u00e9", "e\u0301", "\u00c5", "\u212b", "\ufb01", "\u1e9b\u0323", // normalisation twins
  "😀", "𝕏", "\u{10ffff}", "\ufffd", "\uffff",
  ".", "..", "/", "%", ":", "%2F", "%3A", "%00", "?", "#", "&", "=", "+", " ", "\\", '"', "'", "<b>", "&amp;", "*", ";", ",",
  "fdp.exe", "exe.pdf", "null", "undefined", "__proto__", "toString", "constructor",
] as const;

/** Whole values that are hostile by themselves (and collide across runs, which exercises duplicates). */
export const WHOLE = ["", ".", "..", "/", "%", ":", "a/b", "%2F", "x%3Ay", "a:b", "%", "1", "-0", "1e21", "\u00e9", "e\u0301", "\u202efdp.exe", "__proto__", "toString", " ", "\u0000", "\ud800", "\udc00"] as const;

/** An adversarial string: whole hostile values, or a mix of hostile fragments and random text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WHOLE) },
  {
    weight: 8,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...ATOMS), fc.string({ maxLength: 6 }), fc.string({ unit: "binary", maxLength: 4 })), { minLength: 1, maxLength: 6 })
      .map((parts) => parts.join("")),
  },
  // Around the 512-character id limit, with a hostile character inside.
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 505, max: 520 }), fc.constantFrom(...ATOMS)).map(([n, atom]) => (atom + "x".repeat(n)).slice(0, n)) },
);

/** Number tokens that do not survive a round trip through a JS number (or look alike as text). */
export const NUMBER_TOKENS = ["9007199254740993", "9007199254740992", "9007199254740995", "18446744073709551617", "1e21", "1E21", "1e+21", "-0", "0", "1.0", "1", "10.50", "1e400", "-1e-7", "123456789012345678901234567890", "0.1"] as const;

/** A JSON number token, kept verbatim. */
export const numberToken: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBER_TOKENS) },
  { weight: 2, arbitrary: fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)) },
);

/** An event id as the sender writes it: a string, or (in JSON bodies) a bare number token. */
export type IdSpec = { s: string } | { n: string };

const idSpec: fc.Arbitrary<IdSpec> = fc.oneof({ weight: 3, arbitrary: hostileString.map((s) => ({ s })) }, { weight: 1, arbitrary: numberToken.map((n) => ({ n })) });

/** One generated event, before a family shapes and signs it. */
export interface Spec {
  id: IdSpec;
  /** An earlier copy of the id's key (duplicate JSON keys: JSON.parse keeps the last one). */
  decoy: IdSpec | null;
  type: string;
  key: string;
  text: string;
  /** Bytes the body should have in all (near the source's limit), or 0 for no padding. */
  size: number;
  /** Nesting depth of a `deep` field, or 0. */
  depth: number;
  escaping: Escaping;
  /** Before the JSON: nothing, a BOM (TextDecoder drops it, the exact reader must too) or whitespace. */
  lead: string;
  /** Junk entries put before a valid Standard Webhooks signature. */
  junk: string[];
  /** For header-borne ids: send the id header at all (twilio's idempotency token is optional). */
  withHeaderId: boolean;
}

/** A long type: around the 256-character limit, or kilobytes (refused at ingest, never sent as a header). */
const longText = fc
  .tuple(fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 240, max: 272 }) }, { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 20_000 }) }), fc.constantFrom(...ATOMS))
  .map(([n, atom]) => (atom + "t").repeat(Math.ceil(n / (atom.length + 1))).slice(0, n));

/** Signature-list entries that verify nothing. */
const JUNK_SIGNATURES = ["v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "v1,@@@", "v1,", "v9,whatever", "v1a,Zm9v", "v1a,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", ",", "v2,%00"] as const;

/** The generated event. */
export const specArb: fc.Arbitrary<Spec> = fc.record({
  id: idSpec,
  decoy: fc.option(idSpec, { freq: 4 }),
  type: fc.oneof({ weight: 8, arbitrary: hostileString }, { weight: 1, arbitrary: longText }),
  key: hostileString,
  text: hostileString,
  size: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: HOSTILE_BODY_LIMIT - 48, max: HOSTILE_BODY_LIMIT + 48 }) }),
  depth: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(64, 1000, 10_000) }),
  escaping: fc.constantFrom<Escaping>("raw", "ascii"),
  lead: fc.oneof({ weight: 6, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.constantFrom("\ufeff", " \n\t\r ", "\ufeff\n") }),
  withHeaderId: fc.boolean(),
  junk: fc.array(fc.constantFrom(...JUNK_SIGNATURES), { maxLength: 3 }),
});

// ---------------------------------------------------------------------------------------------
// Expectations

/** What the gateway must make of a signed event. */
export interface Expectation {
  /** The exact event id, or `null` where the preset falls back to `sha256:<hex of the body>`. */
  id: string | null;
  /** The stored event type and ordering key. */
  type: string;
  key: string | null;
  /** For `dedupe = "content"`: the provider's id kept beside the body-hash id (null: none). */
  providerEventId?: string | null;
  /** A refusal this input must get (documented code). */
  mustRefuse?: "payload_too_large" | "payload_malformed" | "event_identity_invalid";
  /** A documented 4xx is also a right answer (ill-formed Unicode, over-long ids, empty configured ids). */
  mayRefuse: boolean;
}

/** One signed request and its expectation. */
export interface Built {
  signed: SignedRequest;
  expect: Expectation;
  /** The body's bytes as text (valid UTF-8), to compare with what the destination received. */
  bodyText: string;
  /** Request headers the preset forwards to destinations, with the value they must arrive with. */
  forwarded?: Record<string, string>;
}

/** Longest accepted event id, type and ordering key (src/ingest/identify.ts, src/ingest/wellformed.ts). */
const MAX_ID = 512;
const MAX_TYPE = 256;
const MAX_KEY = 512;

const hasLoneSurrogate = (s: string) => !s.isWellFormed();

/**
 * What a header value becomes over a real HTTP hop: a field value holds no control character but
 * HTAB (RFC 9110 §5.5; Node and proxies refuse them, and fetch cannot send NUL, CR or LF), and fetch
 * trims its ends. Non-ASCII travels as UTF-8 bytes (obs-text). Controls reach ids and types through
 * JSON bodies instead, which carry every character.
 */
export function headerValue(raw: string): string {
  return new Headers({ x: raw.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, "") }).get("x")!;
}

/** The id as a header carries it. */
const idText = (id: IdSpec) => ("s" in id ? id.s : id.n);
const idNode = (id: IdSpec): JsonNode => ("s" in id ? id.s : { num: id.n });

/**
 * A preset's id read from a body field or a header: a non-empty string as is, a number token as its
 * exact text, an empty string as absent (then the preset's fallback, the body hash).
 */
const presetId = (id: IdSpec): string | null => (idText(id) === "" ? null : idText(id));
/** What a preset should make of a body-borne identity: empty values fall back (id to the body hash, type to `emptyType`, key to none). */
const presetExpected = (spec: Pick<Spec, "id" | "type" | "key">, emptyType: string) => ({ id: presetId(spec.id), type: spec.type === "" ? emptyType : spec.type, key: spec.key === "" ? null : spec.key });

/**
 * The body: what precedes the JSON (BOM, whitespace), then the JSON, padded to `size` bytes with an
 * ASCII `pad` field, the last field (so the rest is unchanged).
 */
function padded(build: (pad: string | undefined) => string, { size, lead }: Pick<Spec, "size" | "lead">): string {
  if (size === 0) return lead + build(undefined);
  const base = new TextEncoder().encode(lead + build("")).byteLength;
  return lead + build("p".repeat(Math.max(0, size - base)));
}

const deep = (depth: number): JsonNode | undefined => (depth === 0 ? undefined : { raw: "[".repeat(depth) + "]".repeat(depth) });
/** The optional last members of a body: the deep nesting and the padding, each only when present. */
const tailEntries = (depth: number, pad: JsonNode | undefined): [string, JsonNode][] => [
  ...(depth ? [["deep", deep(depth)!] as [string, JsonNode]] : []),
  ...(pad === undefined ? [] : [["pad", pad] as [string, JsonNode]]),
];

/** Fill in the refusals every family shares. */
function finish(signed: SignedRequest, body: string, e: Omit<Expectation, "mayRefuse">, extraMay = false): Built {
  const bytes = new TextEncoder().encode(body).byteLength;
  const idTooLong = e.id !== null && e.id.length > MAX_ID;
  const illFormed = [e.id ?? "", e.type, e.key ?? ""].some(hasLoneSurrogate);
  // In the order ingest checks: size, then the id, then the identity's form.
  const identityTooLong = e.type.length > MAX_TYPE || (e.key?.length ?? 0) > MAX_KEY;
  const mustRefuse = bytes > HOSTILE_BODY_LIMIT ? "payload_too_large" : idTooLong ? "payload_malformed" : (e.mustRefuse ?? (identityTooLong ? "event_identity_invalid" : undefined));
  // Ids over 512 code units are refused today; a byte-based limit would refuse some shorter ones.
  const longish = e.id !== null && new TextEncoder().encode(e.id).byteLength > MAX_ID;
  return { signed, bodyText: body, expect: { ...e, ...(mustRefuse ? { mustRefuse } : {}), mayRefuse: illFormed || longish || extraMay } };
}

// ---------------------------------------------------------------------------------------------
// Families: one source each (test/support/fixtures.ts hostileSources), all signed by test/support/signer.ts

/** A scheme family: its source, its sink path, and how it turns a spec into a signed request. */
export interface Family {
  name: string;
  scheme: string;
  source: string;
  /** Path at the sink its destination posts to. */
  sinkPath: string;
  /** Bodies are JSON (twilio's are forms). */
  jsonBody: boolean;
  build: (spec: Spec, now: number) => Promise<Built>;
}

const NOW_S = (now: number) => Math.floor(now / 1000);

/** The event's id field(s): a decoy copy first when the spec has one (JSON.parse keeps the last). */
const idEntries = (name: string, spec: Spec): [string, JsonNode][] => [...(spec.decoy ? [[name, idNode(spec.decoy)] as [string, JsonNode]] : []), [name, idNode(spec.id)]];

export const FAMILIES: Family[] = [
  {
    name: "body HMAC (github)",
    scheme: "github",
    source: "h-github",
    sinkPath: "/hostile/github",
    jsonBody: true,
    build: async (spec, now) => {
      const id = headerValue(idText(spec.id));
      const event = headerValue(spec.type);
      const body = padded((pad) => jsonText(obj(["action", spec.text], ["issue", obj(["number", { num: "7" }])], ["repository", obj(["full_name", spec.key])], ["deep", deep(spec.depth)], ["pad", pad]), spec.escaping), spec);
      const signed = await signRequest({ preset: "github", secret: TEST_SECRETS.GITHUB_SECRET, body, id, event, now });
      // A hostile value in a header the preset forwards to destinations as it came.
      const hook = headerValue(spec.text);
      signed.headers["x-github-hook-id"] = hook;
      // preset: "<x-github-event>.<action>" (an empty event header names no type: "unknown"); key "<repo>#<number>".
      return { ...finish(signed, body, { id: id === "" ? null : id, type: event === "" ? "unknown" : `${event}.${spec.text}`, key: `${spec.key}#7` }), forwarded: { "x-github-event": event, "x-github-delivery": id, "x-github-hook-id": hook } };
    },
  },
  {
    name: "body HMAC (github), dedupe = content",
    scheme: "github",
    source: "h-github-content",
    sinkPath: "/hostile/github-content",
    jsonBody: true,
    build: async (spec, now) => {
      // A body made of one hostile field, so equal bodies recur under other delivery ids: each such
      // re-send must be a duplicate (the id is the body hash), whatever id header it carries.
      const id = headerValue(idText(spec.id));
      const event = headerValue(spec.type);
      const body = jsonText(obj(["action", spec.text], ["issue", obj(["number", { num: "7" }])], ["repository", obj(["full_name", "octo/repo"])]), "raw");
      const signed = await signRequest({ preset: "github", secret: TEST_SECRETS.GITHUB_SECRET, body, id, event, now });
      const providerEventId = id === "" ? null : id;
      return finish(signed, body, {
        id: null,
        providerEventId,
        type: event === "" ? "unknown" : `${event}.${spec.text}`,
        key: "octo/repo#7",
        ...((providerEventId?.length ?? 0) > MAX_ID ? { mustRefuse: "payload_malformed" as const } : {}),
      });
    },
  },
  {
    name: "timestamped HMAC (stripe)",
    scheme: "stripe",
    source: "h-stripe",
    sinkPath: "/hostile/stripe",
    jsonBody: true,
    build: async (spec, now) => {
      const body = padded(
        (pad) => jsonText({ entries: [...idEntries("id", spec), ["object", "event"], ["type", spec.type], ["created", { num: String(NOW_S(now)) }], ["data", obj(["object", obj(["id", spec.key], ["note", spec.text])])], ...tailEntries(spec.depth, pad)] }, spec.escaping),
        spec,
      );
      const signed = await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body, now });
      return finish(signed, body, presetExpected(spec, "unknown"));
    },
  },
  {
    name: "timestamped HMAC (slack)",
    scheme: "slack",
    source: "h-slack",
    sinkPath: "/hostile/slack",
    jsonBody: true,
    build: async (spec, now) => {
      const body = padded(
        (pad) => jsonText({ entries: [["token", "t"], ["type", "event_callback"], ...idEntries("event_id", spec), ["event_time", { num: String(NOW_S(now)) }], ["event", obj(["type", spec.type], ["channel", spec.key], ["text", spec.text])], ...tailEntries(spec.depth, pad)] }, spec.escaping),
        spec,
      );
      const signed = await signRequest({ preset: "slack", secret: PRESET_SIGNING.slack!, body, now });
      return finish(signed, body, presetExpected(spec, "event_callback"));
    },
  },
  {
    name: "Standard Webhooks v1 (id header)",
    scheme: "standard-webhooks",
    source: "h-sw",
    sinkPath: "/hostile/sw",
    jsonBody: true,
    build: async (spec, now) => {
      const id = headerValue(idText(spec.id));
      const body = padded((pad) => jsonText(obj(["type", spec.type], ["data", obj(["key", spec.key], ["text", spec.text])], ["deep", deep(spec.depth)], ["pad", pad]), spec.escaping), spec);
      const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body, id, now });
      signed.headers["webhook-signature"] = withJunk(signed.headers["webhook-signature"]!, spec.junk, 7);
      return finish(signed, body, { id: id === "" ? null : id, type: spec.type === "" ? "unknown" : spec.type, key: null });
    },
  },
  {
    name: "Standard Webhooks v1 (configured id and key paths)",
    scheme: "standard-webhooks",
    source: "h-swpath",
    sinkPath: "/hostile/swpath",
    jsonBody: true,
    build: async (spec, now) => {
      const data = (id: IdSpec) => obj(["id", idNode(id)], ["key", spec.key], ["text", spec.text]);
      // A duplicate `data` object: the last one is the event's.
      const body = padded(
        (pad) => jsonText({ entries: [["type", spec.type], ...(spec.decoy ? [["data", data(spec.decoy)] as [string, JsonNode]] : []), ["data", data(spec.id)], ...tailEntries(spec.depth, pad)] }, spec.escaping),
        spec,
      );
      const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body, now });
      const id = idText(spec.id);
      // A configured extractor that finds no id is a 400, never a fallback.
      return finish(signed, body, { id: id === "" ? "" : id, type: spec.type === "" ? "unknown" : spec.type, key: spec.key === "" ? null : spec.key, ...(id === "" ? { mustRefuse: "payload_malformed" as const } : {}) });
    },
  },
  {
    name: "Standard Webhooks v1a (Ed25519)",
    scheme: "standard-webhooks v1a",
    source: "h-sw1a",
    sinkPath: "/hostile/sw1a",
    jsonBody: true,
    build: async (spec, now) => {
      const id = headerValue(idText(spec.id));
      const body = padded((pad) => jsonText(obj(["type", spec.type], ["data", obj(["key", spec.key], ["text", spec.text])], ["deep", deep(spec.depth)], ["pad", pad]), spec.escaping), spec);
      const signed = await signRequest({ preset: "standard-webhooks", secret: PRESET_SIGNING["standard-webhooks"]!, body, id, now });
      signed.headers["webhook-signature"] = withJunk(signed.headers["webhook-signature"]!, spec.junk, 1);
      return finish(signed, body, { id: id === "" ? null : id, type: spec.type === "" ? "unknown" : spec.type, key: null });
    },
  },
  {
    name: "token (generic-token, strict ordering by key)",
    scheme: "generic-token",
    source: "h-token",
    sinkPath: "/hostile/ordered",
    jsonBody: true,
    build: async (spec, now) => {
      const body = padded(
        (pad) => jsonText({ entries: [...idEntries("id", spec), ["type", spec.type], ["key", spec.key], ["at", { num: String(now) }], ["text", spec.text], ...tailEntries(spec.depth, pad)] }, spec.escaping),
        spec,
      );
      const signed = await signRequest({ preset: "generic-token", secret: PRESET_SIGNING["generic-token"]!, tokenHeader: "x-hostile-token", body, now });
      const id = idText(spec.id);
      return finish(signed, body, { id, type: spec.type === "" ? "unknown" : spec.type, key: spec.key === "" ? null : spec.key, ...(id === "" ? { mustRefuse: "payload_malformed" as const } : {}) });
    },
  },
  {
    name: "asymmetric (generic-ed25519, signed id header)",
    scheme: "generic-ed25519",
    source: "h-ed25519",
    sinkPath: "/hostile/ed25519",
    jsonBody: true,
    build: async (spec, now) => {
      const id = headerValue(idText(spec.id));
      const body = padded((pad) => jsonText(obj(["type", spec.type], ["text", spec.text], ["key", spec.key], ["deep", deep(spec.depth)], ["pad", pad]), spec.escaping), spec);
      const signed = await signRequest({ preset: "generic-ed25519", secret: PRESET_SIGNING["generic-ed25519"]!, scheme: ED_SCHEME, body, id, now });
      return finish(signed, body, { id, type: spec.type === "" ? "unknown" : spec.type, key: null, ...(id === "" ? { mustRefuse: "payload_malformed" as const } : {}) });
    },
  },
  {
    name: "asymmetric (discord)",
    scheme: "discord",
    source: "h-discord",
    sinkPath: "/hostile/discord",
    jsonBody: true,
    build: async (spec, now) => {
      // Interaction type 2 (never a PING); event.type names the type when present.
      const body = padded(
        (pad) => jsonText({ entries: [...idEntries("id", spec), ["type", { num: "2" }], ["application_id", "1"], ["guild_id", spec.key], ["event", obj(["type", spec.type])], ["data", obj(["text", spec.text])], ...tailEntries(spec.depth, pad)] }, spec.escaping),
        spec,
      );
      const signed = await signRequest({ preset: "discord", secret: PRESET_SIGNING.discord!, body, now });
      return finish(signed, body, presetExpected(spec, "interaction.2"));
    },
  },
  {
    name: "Twilio form body",
    scheme: "twilio",
    source: "h-twilio",
    sinkPath: "/hostile/twilio",
    jsonBody: false,
    build: async (spec, now) => {
      const id = spec.withHeaderId ? headerValue(idText(spec.id)) : "";
      const params: [string, string][] = [["Body", spec.text], ["From", spec.key], [spec.type, spec.key], ["MessageSid", idText(spec.id)]];
      let form = params.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join("&");
      // Malformed escapes and empty pairs: both sides decode them the same way (URLSearchParams).
      if (spec.decoy) form += "&%zz=%ED%A0%80&&=&%=%FF+x";
      if (spec.size > 0) form += `&pad=${"p".repeat(Math.max(0, spec.size - new TextEncoder().encode(form).byteLength - 5))}`;
      const signed = await signRequest({ preset: "twilio", secret: PRESET_SIGNING.twilio!, body: form, url: HOSTILE_TWILIO_URL, now });
      if (spec.withHeaderId) signed.headers["i-twilio-idempotency-token"] = id;
      return finish(signed, form, { id: id === "" ? null : id, type: "twilio.webhook", key: null });
    },
  },
];

/**
 * A Standard Webhooks signature list with junk entries before the valid one: wrong MACs, unknown
 * versions, empty and malformed entries. At most `sameVersion` junk entries of the list's own version
 * (v1 or v1a), so the request stays within the documented candidate caps (8 MACs, 2 Ed25519).
 */
function withJunk(list: string, junk: readonly string[], sameVersion: number): string {
  const version = list.slice(0, list.indexOf(","));
  let mine = 0;
  const kept = junk.filter((entry) => entry.slice(0, entry.indexOf(",")) !== version || ++mine <= sameVersion);
  return [...kept, list].join(" ");
}

/** application/x-www-form-urlencoded, byte by byte (lone surrogates become U+FFFD, as a browser's form would send). */
function formEncode(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9*\-._]/.test(c) ? c : b === 0x20 ? "+" : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The id the gateway falls back to when a preset finds none. */
export async function fallbackId(bodyText: string): Promise<string> {
  return `sha256:${await sha256hex(new TextEncoder().encode(bodyText))}`;
}
