/**
 * Security of the operator surface: every admin route (taken from the same registry that generates
 * the OpenAPI document) refuses a missing, empty, near-miss, shorter, longer or foreign token, before
 * validation or any work, and never echoes the token or a secret.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ROUTES } from "../../src/admin";
import { SECRET_VALUES } from "./admin-helpers";

const token = env.ADMIN_TOKEN;
const flip = (c: string) => (c === "a" ? "b" : "a");
const refused: [string, string | null][] = [
  ["no Authorization header", null],
  ["an empty bearer token", "Bearer "],
  ["a near-miss token (last character)", `Bearer ${token.slice(0, -1)}${flip(token.at(-1)!)}`],
  ["a near-miss token (first character)", `Bearer ${flip(token[0]!)}${token.slice(1)}`],
  ["a shorter token", `Bearer ${token.slice(0, -1)}`],
  ["a longer token", `Bearer ${token}0`],
  ["the token in another case", `Bearer ${token.toUpperCase()}`],
  ["the token without the Bearer scheme", token],
  ["a Basic header carrying the token", `Basic ${btoa(`admin:${token}`)}`],
  ["another secret", `Bearer ${SECRET_VALUES[0]}`],
];

/** A concrete URL for a route path: every `:param` filled with a plausible value. */
const concrete = (path: string) => path.replace(":id", crypto.randomUUID()).replace(/:[A-Za-z]+/g, "ok");

const routes = [...ROUTES.map((r) => ({ method: r.method.toUpperCase(), path: concrete(r.path) })), { method: "GET", path: "/openapi.json" }, { method: "GET", path: "/v2/unknown" }];

describe("every admin route refuses without the right token", () => {
  it("the registry covers the API", () => {
    expect(routes.length).toBeGreaterThanOrEqual(16);
    // The query-addressed event routes (every id, `.` and `..` included) are guarded like the rest.
    for (const path of ["/v1/event", "/v1/event/payload", "/v1/event/replay"]) expect(routes.map((r) => r.path)).toContain(path);
  });
  for (const r of routes) {
    it(`${r.method} /api${r.path}`, async () => {
      for (const [label, header] of refused) {
        const res = await exports.default.fetch(`https://edgehook.test/api${r.path}`, {
          method: r.method,
          headers: { ...(header === null ? {} : { authorization: header }), "content-type": "application/json" },
          ...(r.method === "GET" ? {} : { body: "{}" }),
        });
        expect(res.status, label).toBe(401);
        expect(res.headers.get("www-authenticate"), label).toContain("Bearer");
        const text = await res.text();
        expect(text, label).not.toContain(token);
        for (const secret of SECRET_VALUES) expect(text, label).not.toContain(secret);
      }
    });
  }
});
