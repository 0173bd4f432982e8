/**
 * The `cloudflare:workers` module for the unit project (plain Node). Stage faces export their Durable
 * Object classes, so pure code imported through a face (poison.ts → the alerts face, the metrics
 * flush → the alerts face) loads a class that extends `DurableObject`. Node has no such module; this
 * gives the classes a base to extend. Unit tests never construct a Durable Object: those run in workerd
 * (the workers projects), where the real module is used.
 */
export class DurableObject<Env = unknown> {
  constructor(
    protected ctx: unknown,
    protected env: Env,
  ) {}
}
