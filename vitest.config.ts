import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";
import { TEST_SECRETS, testConfig } from "./test/support/fixtures";

/** Admin bearer token for the workerd tests. */
const ADMIN_TEST_TOKEN = "test-admin-token-4f9c2a7e";
/** Scrape-only bearer token of GET /metrics in the workerd tests. */
const METRICS_TEST_TOKEN = "test-metrics-token-8d1e5b30";

/** The event index's D1 migrations, applied in each workerd test file's setup (test/support/apply-migrations.ts). */
const d1Migrations = await readD1Migrations("./migrations");

/** Forward a request made through the TEST_MTLS_CERT binding to the sink, marking that it went through the binding. */
async function viaMtlsStandIn(request: Request, sinkUrl: string): Promise<Response> {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.set("x-test-via-binding", "TEST_MTLS_CERT");
  return fetch(new URL(url.pathname + url.search, sinkUrl), { method: request.method, headers, body: await request.arrayBuffer(), redirect: "manual" });
}

/** Every consumer value explicit (local queue defaults differ from production); short batch timeout for tests. */
const consumer = { maxBatchSize: 50, maxBatchTimeout: 0.05, maxRetries: 100, retryDelay: 1 };

/** A workerd project: the worker as wrangler.toml declares it, with the test config and secrets. */
function workerd(name: string, options: { include?: string[]; exclude?: string[]; encryptionKeys?: string[] }) {
  return {
    plugins: [
      cloudflareTest(({ inject }) => {
        const sinkUrl = inject("sinkUrl");
        const config = testConfig(sinkUrl);
        return {
          wrangler: { configPath: "./wrangler.toml" },
          miniflare: {
            bindings: {
              // As a JSON string: the config contract accepts both forms.
              EDGEHOOK: JSON.stringify(options.encryptionKeys ? { ...config, settings: { ...(config as { settings?: object }).settings, encryptionKeys: options.encryptionKeys } } : config),
              SINK_URL: sinkUrl,
              ADMIN_TOKEN: ADMIN_TEST_TOKEN,
              ALERT_SLACK_URL: `${sinkUrl}/slack-alerts`,
              METRICS_TOKEN: METRICS_TEST_TOKEN,
              TEST_MIGRATIONS: d1Migrations,
              ...TEST_SECRETS,
            },
            // Stand-in for an [[mtls_certificates]] binding (miniflare only proxies those to Cloudflare):
            // a Fetcher that workerd routes here, forwarding to the sink with a marker (test/workers/egress.test.ts).
            serviceBindings: { TEST_MTLS_CERT: (request: Request) => viaMtlsStandIn(request, sinkUrl) },
            queueConsumers: {
              "edgehook-delivery": { ...consumer, deadLetterQueue: "edgehook-dead" },
              "edgehook-dead": { ...consumer, maxRetries: 10 },
            },
          },
        };
      }),
    ],
    test: {
      name,
      include: options.include ?? ["test/workers/**/*.test.ts"],
      exclude: [...configDefaults.exclude, ...(options.exclude ?? [])],
      globalSetup: ["./test/support/global-setup.ts"],
      setupFiles: ["./test/support/apply-migrations.ts", "./test/support/no-secret-logs.ts"],
      testTimeout: 30_000,
    },
  };
}

export default defineConfig({
  test: {
    // Two test files at a time. Vitest's default on a 2-core machine is one (cores − 1), and most files
    // wait on I/O (wrangler dev, queues, real destinations) rather than compute.
    maxWorkers: 2,
    projects: [
      {
        // Faces export Durable Object classes; in Node their `cloudflare:workers` base comes from test/support/workers-runtime.ts.
        resolve: { alias: { "cloudflare:workers": fileURLToPath(new URL("./test/support/workers-runtime.ts", import.meta.url)) } },
        test: { name: "unit", include: ["test/unit/**/*.test.ts"] },
      },
      workerd("workers", { exclude: ["test/workers/encryption.test.ts"] }),
      // The same worker with payload encryption at rest on (settings.encryptionKeys), for its own tests.
      workerd("workers-encrypted", { include: ["test/workers/encryption.test.ts"], encryptionKeys: ["EH_KEY_A"] }),
      {
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        // Headless Chromium (Debian's chromium + playwright-core) against wrangler dev; screenshots in test-results/browser/.
        test: { name: "browser", include: ["test/browser/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 180_000 },
      },
    ],
  },
});
