/** Secrets every benchmark and soak target shares (test values, never real ones). */
export const BENCH_SECRETS = {
  STRIPE_WEBHOOK_SECRET: "whsec_bench_stripe_secret_0001",
  SINK_SIGNING_SECRET: "whsec_YmVuY2gtc2luay1zaWduaW5nLWtleS0wMDAwMDAwMQ==",
  ADMIN_TOKEN: "bench-admin-token",
  // Payload encryption key (32 bytes, base64) of bench/encryption.mjs.
  BENCH_PAYLOAD_KEY: "YmVuY2gtcGF5bG9hZC1lbmNyeXB0aW9uLWtleS0wMDE=",
};
