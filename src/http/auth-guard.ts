// The one place where REST and WebSocket requests are checked against the role their route
// declares (`config.access`) and, for call-takers and officers, against what they own (`config.owner`).
// Secure by default: a route without a declaration is refused, also when sign-in is off.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { AuthService } from '../auth/auth-service';
import type { Access, Ownership, SignedIn } from '../auth/roles';
import { HttpError } from './errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** What a call-taker's or officer's request touches; checked after validation (params and body are typed). */
    owner?: (req: FastifyRequest) => Ownership | undefined;
  }
  interface FastifyRequest {
    user: SignedIn | undefined;
  }
}

export const SESSION_COOKIE = 'cti110_session';

export interface GuardDeps {
  enabled: boolean;
  auth: AuthService;
}

/** A bearer token (API clients) or the session cookie (the browser, including its WebSocket). */
export function tokenOf(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? req.cookies?.[SESSION_COOKIE] ?? undefined;
}

export function installAuthGuard(app: FastifyInstance, deps: GuardDeps): void {
  app.decorateRequest('user', undefined);
  // A route that forgot its declaration would answer 403 to everyone: say so at start instead,
  // naming it, so that the forgetting is found by the first test that starts the service.
  // Checked once all are in: a plugin's own onRoute hook (web.ts) may declare after this one runs.
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => void routes.push(route));
  app.addHook('onReady', async () => {
    const undeclared = routes.filter((r) => r.config?.access === undefined).map((r) => `${String(r.method)} ${r.url}`);
    if (undeclared.length) throw new Error(`routes with no config.access (declare who may call them): ${undeclared.join(', ')}`);
  });
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.url === undefined) return; // no such route: the 404 handler answers
    const access = req.routeOptions.config.access;
    if (access === undefined) {
      req.log.error({ route: req.routeOptions.url }, 'route declares no access: refused');
      throw new HttpError(403, 'FORBIDDEN', 'this route declares no role and is refused');
    }
    // Sign-in off (tests, a lab bench): nobody is signed in and every route answers, as before
    // sign-in existed (X-User / X-Role headers keep naming people in audit logs).
    if (!deps.enabled) return;
    const token = tokenOf(req);
    const user = token ? await deps.auth.authenticate(token) : undefined;
    req.user = user;
    if (access === 'public') return;
    if (!user) throw new HttpError(401, 'SIGN_IN_REQUIRED', 'sign in first (POST /auth/login); the session may have expired');
    if (!access.includes(user.role)) throw new HttpError(403, 'FORBIDDEN', `role ${access.join(' or ')} required (you are ${user.role})`);
  });
  app.addHook('preHandler', async (req) => {
    const owner = req.routeOptions.config.owner;
    if (!owner || !req.user) return;
    const what = owner(req);
    if (what && !(await deps.auth.owns(req.user, what))) throw new HttpError(403, 'NOT_YOURS', req.user.role === 'officer' ? "an officer's terminal acts only for its own officer" : 'a call-taker acts only on their own seat and calls');
  });
}
