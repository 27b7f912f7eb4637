// Sign-in and sign-out. The token goes back in the body (API clients) and as an HttpOnly cookie
// (the browser: scripts cannot read it, the WebSocket and <audio> send it by themselves).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { SignInThrottled, type AuthService } from '../../auth/auth-service';
import { HasherBusy } from '../../auth/password';
import { ANY_SESSION } from '../../auth/roles';
import { SESSION_COOKIE, tokenOf } from '../auth-guard';
import { ErrorBody } from '../schemas';

const LoginBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
// What /auth/me says when sign-in is off: the pages then show every control.
const SIGN_IN_OFF = { name: 'sign-in off', role: 'admin', seat: null, officer: null };
const Me = Type.Object({
  name: Type.String(),
  role: Type.String({ description: 'call-taker, supervisor, admin or officer' }),
  seat: Type.Union([Type.String(), Type.Null()]),
  officer: Type.Union([Type.String(), Type.Null()], { description: "an officer's terminal: the officer it reports for" }),
});

export function authRoutes(app: FastifyInstance, deps: { auth: AuthService; secureCookie: boolean }): void {
  app.post<{ Body: Static<typeof LoginBody> }>(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: { summary: 'Sign in: 5 failures from one address in the window → 429 with Retry-After; 503 with Retry-After when too many sign-ins are being checked at once', body: LoginBody, response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.Integer(), user: Me }), 400: ErrorBody, 401: ErrorBody, 429: ErrorBody, 503: ErrorBody } },
    },
    async (req, reply) => {
      try {
        const s = await deps.auth.signIn(req.body.name, req.body.password, req.ip);
        reply.setCookie(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.secureCookie, expires: new Date(s.expiresAt) });
        return s;
      } catch (err) {
        if (err instanceof SignInThrottled) reply.header('Retry-After', Math.ceil(err.retryAfterMs / 1000));
        // Answered here, not by the error handler: that one logs every 5xx as a failure, and a
        // flood of these is the service protecting itself, logged once by the audit.
        if (err instanceof HasherBusy) return reply.status(503).header('Retry-After', Math.ceil(err.retryAfterMs / 1000)).send({ error: err.code, message: err.message });
        throw err;
      }
    },
  );

  app.post('/auth/logout', { config: { access: ANY_SESSION }, schema: { summary: 'Sign out (ends the session)', response: { 204: Type.Null() } } }, async (req, reply) => {
    const token = tokenOf(req);
    if (token) await deps.auth.signOut(token);
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).status(204).send();
  });

  app.get('/auth/me', { config: { access: ANY_SESSION }, schema: { summary: 'Who is signed in', response: { 200: Me, 401: ErrorBody } } }, async (req) => req.user ?? SIGN_IN_OFF);
}
