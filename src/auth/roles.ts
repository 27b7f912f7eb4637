// Roles and what a route declares it needs. Declared per route (Fastify `config.access`) and checked
// in one place (http/auth-guard.ts); a route that declares nothing is refused.
export const ROLES = ['call-taker', 'supervisor', 'admin', 'officer'] as const;
export type Role = (typeof ROLES)[number];

/** 'public': no sign-in (health, sign-in itself, the static pages); otherwise the roles allowed. */
export type Access = 'public' | readonly Role[];

// An officer's terminal is a field device: it is not one of the centre's staff and is named only
// on the routes it may use (its own position, duty and reports), so a route for "everyone at the
// centre" never opens to every terminal on the street.
export const CENTRE_STAFF: readonly Role[] = ['call-taker', 'supervisor', 'admin'];
/** Whoever holds a session, whatever the role: only who-am-I and sign-out. */
export const ANY_SESSION: readonly Role[] = ROLES;
export const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];
export const ADMINS: readonly Role[] = ['admin'];
// Call-takers act only on their own seat and calls (see Ownership); supervisors on any.
export const CALL_HANDLERS: readonly Role[] = ['call-taker', 'supervisor', 'admin'];
// An officer's terminal reports for its own officer only (see Ownership); supervisors for any.
export const OFFICER_TERMINALS: readonly Role[] = ['officer', 'supervisor', 'admin'];

export interface SignedIn {
  name: string;
  role: Role;
  /** The seat a call-taker works at; null for every other role. */
  seat: string | null;
  /** The officer an officer's terminal reports for; null for every other role. */
  officer: string | null;
}

/** What a call-taker's or officer's request touches, so the guard can check it is theirs. */
export type Ownership = { seat: string } | { incident: string } | { recording: number } | { officer: string };

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);
