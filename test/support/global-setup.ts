/** Vitest global setup (Node): start the real local sink every workerd test delivers to. */
import type { TestProject } from "vitest/node";
// @ts-expect-error plain ESM script without types
import { startSink } from "../../scripts/sink.mjs";
import { TEST_SECRETS } from "./fixtures";

declare module "vitest" {
  export interface ProvidedContext {
    sinkUrl: string;
    /** Hostile suite size and seed (HOSTILE_RUNS, HOSTILE_SEED; 0 = the suite's defaults). */
    hostileRuns: number;
    hostileSeed: number;
  }
}

export default async function setup(project: TestProject) {
  const sink = await startSink({ secret: TEST_SECRETS.SINK_SECRET });
  project.provide("sinkUrl", sink.url);
  project.provide("hostileRuns", Number(process.env.HOSTILE_RUNS ?? 0) || 0);
  project.provide("hostileSeed", Number(process.env.HOSTILE_SEED ?? 0) || 0);
  return async () => sink.close();
}
