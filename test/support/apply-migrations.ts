/** Workerd test setup: apply the event index's D1 migrations (idempotent; recorded in d1_migrations). */
import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}

await applyD1Migrations(env.EVENT_INDEX, env.TEST_MIGRATIONS);
