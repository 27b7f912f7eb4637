// Roles and what a route declares it needs. Declared per route (Fastify `config.access`) and checked
// in one place (http/auth-guard.ts); a route that declares nothing is refused.
export const ROLES = ['call-taker', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** 'public': no sign-in (health, sign-in itself, the static pages); otherwise the roles allowed. */
export type Access = 'public' | readonly Role[];

export const ANYONE_SIGNED_IN: readonly Role[] = ROLES;
export const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];
export const ADMINS: readonly Role[] = ['admin'];
// Call-takers act only on their own seat and calls (see Ownership); supervisors on any.
export const CALL_HANDLERS: readonly Role[] = ['call-taker', 'supervisor', 'admin'];

export interface SignedIn {
  name: string;
  role: Role;
  /** The seat a call-taker works at; null for supervisors and admins. */
  seat: string | null;
}

/** What a call-taker's request touches, so the guard can check it is theirs. */
export type Ownership = { seat: string } | { incident: string } | { recording: number };

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);
