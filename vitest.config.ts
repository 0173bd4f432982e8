import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_SECRETS, testConfig } from "./test/support/fixtures";

/** Admin bearer token for the workerd tests. */
const ADMIN_TEST_TOKEN = "test-admin-token-4f9c2a7e";

/** The event index's D1 migrations, applied in each workerd test file's setup (test/support/apply-migrations.ts). */
const d1Migrations = await readD1Migrations("./migrations");

/** Every consumer value explicit (local queue defaults differ from production); short batch timeout for tests. */
const consumer = { maxBatchSize: 50, maxBatchTimeout: 0.05, maxRetries: 100, retryDelay: 1 };

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"] },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => {
            const sinkUrl = inject("sinkUrl");
            return {
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  // As a JSON string: the config contract accepts both forms.
                  EDGEHOOK: JSON.stringify(testConfig(sinkUrl)),
                  SINK_URL: sinkUrl,
                  ADMIN_TOKEN: ADMIN_TEST_TOKEN,
                  TEST_MIGRATIONS: d1Migrations,
                  ...TEST_SECRETS,
                },
                queueConsumers: {
                  "edgehook-delivery": { ...consumer, deadLetterQueue: "edgehook-dead" },
                  "edgehook-dead": { ...consumer, maxRetries: 10 },
                },
              },
            };
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: ["./test/support/global-setup.ts"],
          setupFiles: ["./test/support/apply-migrations.ts", "./test/support/no-secret-logs.ts"],
          testTimeout: 30_000,
        },
      },
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
