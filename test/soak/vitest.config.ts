/**
 * `npm run soak`: the long reliability suites (the short versions run in CI from
 * test/e2e/reliability.test.ts). Node-side tests against the real worker served by workerd.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "soak",
    include: ["test/soak/**/*.soak.test.ts"],
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
