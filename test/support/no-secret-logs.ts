/**
 * Workerd test setup: watch every console line the worker, its Durable Objects and the tests write,
 * and fail the file if any carries a secret value (the admin token or a configured secret).
 */
import { env } from "cloudflare:workers";
import { afterAll, expect } from "vitest";
import { TEST_SECRETS, testConfig } from "./fixtures";

// Values equal to a (public) source name are not secret-looking; see test/workers/admin-helpers.ts.
const secrets = [env.ADMIN_TOKEN, ...Object.values(TEST_SECRETS).filter((v) => !(v in testConfig("").sources))];
const leaks: string[] = [];
for (const level of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    const line = args.map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.message} ${a.stack}` : JSON.stringify(a))).join(" ");
    for (const s of secrets) if (line.includes(s)) leaks.push(`${level}: a line carried the value of a secret (${line.slice(0, 80)}…)`.replace(s, "<secret>"));
    original(...args);
  };
}

afterAll(() => {
  expect(leaks, "log lines carrying a secret value").toEqual([]);
});
