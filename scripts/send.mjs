#!/usr/bin/env node
/**
 * npm run send -- <source|preset> [eventType] [--url URL] [--secret VALUE] [--print]
 *
 * Signs a realistic sample event exactly as the source's provider would (test/support/signer.ts) and
 * POSTs it to the local worker (http://127.0.0.1:8787/webhooks/<source>), then prints the response.
 * The source's preset and secret come from wrangler.toml's [vars.EDGEHOOK] and .dev.vars (or the
 * environment). Asymmetric presets (discord, sendgrid, standard-webhooks v1a, generic-ed25519, paypal,
 * plaid) need the PRIVATE key: put it in .dev.vars as <SECRET_NAME>_SIGNING_KEY, or pass --secret.
 * --print signs and prints the request without sending it (works for any preset id, with a demo secret).
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

const { sampleEvent, signRequest } = await import("../test/support/signer.ts");

/** KEY=value lines of .dev.vars (no interpolation, as wrangler reads them). */
function devVars(path) {
  if (!existsSync(path)) return {};
  const vars = {};
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

/** The EDGEHOOK var of a wrangler config (wrangler's own reader). */
export async function readEdgehook(path) {
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: resolve(path) }, { hideWarnings: true });
  const raw = config.vars?.EDGEHOOK;
  return typeof raw === "string" ? JSON.parse(raw) : raw ?? { sources: {} };
}

const DEMO_SECRETS = {
  "standard-webhooks": "whsec_ZWRnZWhvb2stc2VuZC1kZW1vLWtleS0wMDAwMDAwMQ==",
  svix: "whsec_ZWRnZWhvb2stc2VuZC1kZW1vLWtleS0wMDAwMDAwMQ==",
  clerk: "whsec_ZWRnZWhvb2stc2VuZC1kZW1vLWtleS0wMDAwMDAwMQ==",
  resend: "whsec_ZWRnZWhvb2stc2VuZC1kZW1vLWtleS0wMDAwMDAwMQ==",
  brex: "whsec_ZWRnZWhvb2stc2VuZC1kZW1vLWtleS0wMDAwMDAwMQ==",
  discord: "d217b5a5a3c87aa3ce2daebf669351fa65941748a0e67f0514e85ec50ae47e51",
  "generic-ed25519": "d217b5a5a3c87aa3ce2daebf669351fa65941748a0e67f0514e85ec50ae47e51",
  sendgrid: "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgexOMMJ7zHgUCVQOI2XJWlEbJoJBC2Ry+OAcpEeAMd3KhRANCAASvXT3fIGsNyukyE1WpoTlwd7Em8BWgGH3XHIMtLzvXjGa1Pxc2tDMUJYmkM+ZnXVlg+fig4L2mg0mvVUPPtBb0",
  adyen: "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056",
  airtable: "ZWRnZWhvb2stYWlydGFibGUtZGVtbw==",
  postmark: "edgehook:demo",
  plaid: "client:secret",
};
const ASYMMETRIC = new Set(["discord", "sendgrid", "generic-ed25519", "paypal", "plaid"]);

/** PayPal and Plaid sign with a private key and name it by reference (cert URL / kid). */
async function keyMaterial(preset, source, secretName, secrets, print) {
  if (preset !== "paypal" && preset !== "plaid") return {};
  let signingKey = secrets[`${secretName}_SIGNING_KEY`];
  if (!signingKey && print) {
    const algorithm = preset === "paypal" ? { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" } : { name: "ECDSA", namedCurve: "P-256" };
    const pair = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
    signingKey = Buffer.from(await crypto.subtle.exportKey("pkcs8", pair.privateKey)).toString("base64");
  }
  if (!signingKey) return { error: `${preset} signs with a private key: set ${secretName}_SIGNING_KEY (base64 PKCS#8) in .dev.vars` };
  const keyRef = secrets[`${secretName}_KEY_REF`] ?? (preset === "paypal" ? `${source?.keyUrl ?? "https://api.sandbox.paypal.com/v1/notifications/certs/"}CERT-edgehook-demo` : "edgehook-demo-kid");
  return { signingKey, keyRef };
}

/**
 * The signed request `npm run send` makes: the source (or preset) `name` resolved against `edgehook`,
 * its secret from `secrets` (or a demo secret with `print`), a sample body. `{ errors }` when it cannot.
 * @param {{ name: string, eventType?: string, url?: string, secret?: string, print?: boolean, config?: string }} values
 * @param {{ sources?: Record<string, any> }} edgehook
 * @param {Record<string, string | undefined>} secrets
 */
export async function prepareSend(values, edgehook, secrets) {
  const { name, eventType } = values;
  let sourceName = name;
  let source = edgehook.sources?.[name];
  if (!source) {
    const match = Object.entries(edgehook.sources ?? {}).find(([, s]) => s.provider === name);
    if (match) [sourceName, source] = match;
  }
  const preset = source?.provider ?? name;
  if (!source && !values.print) {
    return { errors: [`no source "${name}" (and none with provider "${name}") in ${values.config}; sources: ${Object.keys(edgehook.sources ?? {}).join(", ") || "none"}`, `tip: npm run send -- ${name} --print  signs a sample with a demo secret and prints it`] };
  }

  const secretName = source?.secrets?.[0];
  const asymmetric = ASYMMETRIC.has(preset) || (preset === "standard-webhooks" && String(secrets[secretName] ?? "").startsWith("whpk_"));
  const secret =
    values.secret ??
    (asymmetric ? secrets[`${secretName}_SIGNING_KEY`] : secrets[secretName]) ??
    (values.print ? DEMO_SECRETS[preset] ?? "edgehook-demo-secret" : undefined);
  if (!secret) {
    const wanted = asymmetric ? `${secretName}_SIGNING_KEY (the private key)` : secretName;
    return { errors: [`secret ${wanted} is not set in .dev.vars or the environment (or pass --secret)`] };
  }

  const base = values.url ?? `http://127.0.0.1:8787/webhooks/${sourceName}`;
  const keys = await keyMaterial(preset, source, secretName, secrets, values.print);
  if (keys.error) return { errors: [keys.error] };
  const signed = await signRequest({
    preset,
    secret,
    body: sampleEvent(preset, eventType),
    url: source?.publicUrl ?? base,
    tokenHeader: source?.tokenHeader?.toLowerCase(),
    scheme: source?.scheme,
    event: eventType,
    ...keys,
  });
  const target = signed.url ? base + new URL(signed.url).search : base;

  return { preset, target, signed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { url: { type: "string" }, secret: { type: "string" }, print: { type: "boolean", default: false }, config: { type: "string", default: "wrangler.toml" } },
  });
  const [name, eventType] = positionals;
  if (!name) {
    console.error("usage: npm run send -- <source|preset> [eventType] [--url URL] [--secret VALUE] [--print]");
    process.exit(2);
  }
  const prepared = await prepareSend({ ...values, name, eventType }, await readEdgehook(values.config), { ...devVars(resolve(".dev.vars")), ...process.env });
  if (prepared.errors) {
    for (const line of prepared.errors) console.error(line);
    process.exit(2);
  }
  const { preset, target, signed } = prepared;
  if (values.print) {
    console.log(JSON.stringify({ preset, url: target, headers: signed.headers, body: new TextDecoder().decode(signed.body) }, null, 2));
    process.exit(0);
  }
  const res = await fetch(target, { method: "POST", headers: signed.headers, body: signed.body });
  console.log(`${res.status} ${res.statusText}  ${preset} → ${target}`);
  console.log(await res.text());
  process.exit(res.ok ? 0 : 1);
}
