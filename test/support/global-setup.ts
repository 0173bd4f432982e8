/** Vitest global setup (Node): start the real local sink every workerd test delivers to. */
import type { TestProject } from "vitest/node";
// @ts-expect-error plain ESM script without types
import { startSink } from "../../scripts/sink.mjs";
import { TEST_SECRETS } from "./fixtures";

declare module "vitest" {
  export interface ProvidedContext {
    sinkUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const sink = await startSink({ secret: TEST_SECRETS.SINK_SECRET });
  project.provide("sinkUrl", sink.url);
  return async () => sink.close();
}
