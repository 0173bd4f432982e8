import type { ChildProcess } from "node:child_process";
/** A serving process started by {@link startServer}. */
export interface Served {
  url: string;
  pid: number;
  child: ChildProcess;
  logs: string[];
  stop(): Promise<void>;
  kill(): Promise<void>;
}
export function freePort(): Promise<number>;
export function startServer(script: string, args: string[], options?: { timeoutMs?: number; env?: Record<string, string> }): Promise<Served>;
