/** Helpers for the admin API tests: authenticated calls, and posting signed events in bulk. */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { TEST_SECRETS, testConfig } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { post } from "./helpers";

/** Call the admin API with the test token (or `token`), JSON body when given. */
export function api(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? env.ADMIN_TOKEN : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return exports.default.fetch(`https://edgehook.test/api${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
  });
}

/** Call the admin API and parse JSON, asserting the status. */
export async function apiJson<T>(path: string, status: number, init: Parameters<typeof api>[1] = {}): Promise<T> {
  const res = await api(path, init);
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** Post `n` Standard Webhooks events to a source (25 at a time); returns their ids. */
export async function postMany(source: string, n: number, type = "invoice.paid"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 25) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, async () => {
        const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: sampleEvent("standard-webhooks", type) });
        const res = await post(source, signed);
        expect(res.status).toBe(202);
        return signed.headers["webhook-id"]!;
      }),
    );
    ids.push(...chunk);
  }
  return ids;
}

/** Set the sink's switch `name` to answer `status`. */
export async function setSwitch(name: string, status: number): Promise<void> {
  await fetch(`${env.SINK_URL}/_control/switch/${name}?status=${status}`, { method: "POST" });
}

/**
 * Every test secret value, to assert none leaks. A few preset fixtures use a value equal to a source
 * name (e.g. "p-generic-token"); names are public, so those values are left out.
 */
export const SECRET_VALUES: string[] = Object.values(TEST_SECRETS).filter((v) => !(v in testConfig("").sources));
