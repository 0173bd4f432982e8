/** Secrets every benchmark and soak target shares (test values, never real ones). */
export const BENCH_SECRETS = {
  STRIPE_WEBHOOK_SECRET: "whsec_bench_stripe_secret_0001",
  SINK_SIGNING_SECRET: "whsec_YmVuY2gtc2luay1zaWduaW5nLWtleS0wMDAwMDAwMQ==",
  ADMIN_TOKEN: "bench-admin-token",
};
