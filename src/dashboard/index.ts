/** Dashboard stage face: the operator page at /dashboard (see app.tsx). */
export { createDashboard, createSession, csrfFor, verifySession } from "./app";
export { fillBuckets } from "./charts";
export { DashboardSessions, MAX_OPEN_SESSIONS } from "./sessions";
