/**
 * The floor: a bare Hono worker on the same runtime that reads the body and answers 202.
 * Nothing is verified or stored; every other figure is read against this one.
 */
import { Hono } from "hono";

const app = new Hono();
app.post("/webhooks/:source", async (c) => {
  await c.req.arrayBuffer();
  return c.json({ status: "accepted" }, 202);
});

export default { fetch: app.fetch };
