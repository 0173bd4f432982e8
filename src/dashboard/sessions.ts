/**
 * DashboardSessions: the server-side record of open dashboard sessions, one Durable Object for the
 * whole dashboard. A session cookie is honoured only while its id is open here, so signing out ends
 * it everywhere at once, a copied cookie included. Bounded: rows expire with their session, and at
 * most MAX_OPEN_SESSIONS stay open (the oldest is closed first).
 */
import { DurableObject } from "cloudflare:workers";

/** Open sessions kept at most; signing in past it closes the session that expires first. */
export const MAX_OPEN_SESSIONS = 1000;

/** Name of the one DashboardSessions object. */
const OBJECT_NAME = "dashboard";

/** Bindings of the session store. */
export interface SessionEnv {
  DASHBOARD_SESSIONS?: DurableObjectNamespace<DashboardSessions>;
}

export class DashboardSessions extends DurableObject<object> {
  constructor(ctx: DurableObjectState, env: object) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)");
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at)");
  }

  /** Record a new session, dropping expired ones and the oldest beyond the cap. */
  open(id: string, expiresAt: number, now: number): void {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM sessions WHERE expires_at <= ?", now);
    sql.exec("INSERT OR REPLACE INTO sessions (id, expires_at) VALUES (?, ?)", id, expiresAt);
    sql.exec("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY expires_at DESC, id LIMIT -1 OFFSET ?)", MAX_OPEN_SESSIONS);
  }

  /** Is the session still open (signed in, not signed out, not expired)? */
  isOpen(id: string, now: number): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM sessions WHERE id = ? AND expires_at > ?", id, now).toArray().length > 0;
  }

  /** Sign a session out. */
  close(id: string): void {
    this.ctx.storage.sql.exec("DELETE FROM sessions WHERE id = ?", id);
  }

  /** How many sessions are open (for the operator and tests). */
  count(now: number): number {
    return Number(this.ctx.storage.sql.exec("SELECT COUNT(*) AS n FROM sessions WHERE expires_at > ?", now).one().n);
  }
}

/** The session store, or null when the binding is missing (then no session is honoured: fail closed). */
export function sessionStore(env: SessionEnv): DurableObjectStub<DashboardSessions> | null {
  const ns = env.DASHBOARD_SESSIONS;
  return ns ? ns.get(ns.idFromName(OBJECT_NAME)) : null;
}
