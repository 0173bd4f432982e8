export function eventBody(id: string, bytes?: number, sentAt?: number): string;
export function stripeSignature(body: string, secret?: string, t?: number): string;
export function signedEvent(id: string, options?: { bytes?: number; valid?: boolean }): { body: string; headers: Record<string, string> };
