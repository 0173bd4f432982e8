/** `GET /api/v1/destinations/:name/public-key`: the `whpk_` keys a destination verifies v1a deliveries with. */
import type { Hono } from "hono";
import { z } from "zod";
import { isAsymmetricKey, publicKeyOf } from "../delivery";
import type { AdminBindings } from "./env";
import { configOr503 } from "./operate";
import { apiError, route } from "./route";
import { destinationParams } from "./schemas";

/** The public keys of a destination's Ed25519 signing keys, in signing order (the first is `publicKey`). */
export const publicKeySchema = z.object({
  destination: z.string(),
  publicKey: z.string().describe("whpk_ + base64 of the 32-byte Ed25519 public key of the first whsk_ signing key"),
  publicKeys: z.array(z.object({ secret: z.string().describe("the Worker secret's name (never its value)"), publicKey: z.string() })),
});

/** Register the public-key route. */
export function publicKeyRoutes(api: Hono<AdminBindings>): void {
  route(api, {
    method: "get", path: "/v1/destinations/:name/public-key", tag: "destinations",
    summary: "The whpk_ public key(s) of a destination that signs deliveries with Standard Webhooks v1a (Ed25519)",
    params: destinationParams,
    responses: { 200: { description: "the public keys", schema: publicKeySchema }, 404: { description: "no such destination, or it signs with no whsk_ key" } },
  }, async (c, { params }) => {
    const config = configOr503(c);
    if (config instanceof Response) return config;
    const d = config.destinations.get(params.name);
    if (!d) return apiError(c, 404, "not_found", "no such destination in the EDGEHOOK config");
    const names = [d.config.secret, ...(d.config.additionalSecrets ?? [])];
    const publicKeys: { secret: string; publicKey: string }[] = [];
    for (const [i, value] of d.signingSecrets.entries()) {
      if (!isAsymmetricKey(value)) continue;
      const publicKey = await publicKeyOf(value);
      if (publicKey) publicKeys.push({ secret: names[i]!, publicKey });
    }
    if (publicKeys.length === 0) {
      return apiError(c, 404, "no_public_key", "this destination signs with HMAC (whsec_) only; give it a whsk_ key in secret or additionalSecrets to sign v1a");
    }
    return c.json({ destination: d.name, publicKey: publicKeys[0]!.publicKey, publicKeys });
  });
}
