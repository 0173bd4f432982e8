export function startRedis(): Promise<{ url: string; pid: number; stop(): void }>;
