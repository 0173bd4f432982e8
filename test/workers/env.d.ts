/// <reference types="@cloudflare/vitest-plugin/types" />
declare namespace Cloudflare {
  interface Env {
    SINK_URL: string;
    METRICS_TOKEN: string;
  }
}
