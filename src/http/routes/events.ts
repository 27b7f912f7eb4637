// GET /events: the live stream over a WebSocket, filtered by the role of whoever opened it (the
// session cookie or a bearer token on the upgrade request; the guard checks it before upgrading).
// A socket lives no longer than its session (LiveSockets), and only pages of our own origin (or
// one configured) may open one: the browser sends the cookie to any page of the same site.
import type { FastifyInstance } from 'fastify';
import type { EventHub } from '../../events/hub';
import type { AuthService } from '../../auth/auth-service';
import { CENTRE_STAFF } from '../../auth/roles';
import { HttpError } from '../errors';
import { tokenOf } from '../auth-guard';
import { LIVE_CLOSE, LiveSockets, originAllowed, type LiveSocketSettings } from '../live-sockets';

// A screen that stops reading (a frozen tab) must not make the service buffer for ever.
const MAX_BUFFERED_BYTES = 1 << 20;

export interface EventRouteDeps {
  hub: EventHub;
  auth: AuthService;
  signInEnabled: boolean;
  live: LiveSocketSettings & { allowedOrigins: readonly string[] };
}

export function eventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  const sockets = new LiveSockets(deps.auth, deps.live);
  app.addHook('onClose', async () => sockets.stop());
  const checkOrigin = async (req: { headers: { origin?: string; host?: string } }) => {
    if (!originAllowed(req.headers.origin, req.headers.host, deps.live.allowedOrigins)) throw new HttpError(403, 'ORIGIN_REFUSED', 'the live stream is open to this service\'s own pages only (auth.allowedOrigins)');
  };
  app.get('/events', { websocket: true, onRequest: checkOrigin, config: { access: CENTRE_STAFF }, schema: { summary: 'Live events (WebSocket): queue, seats, calls, alerts; what the role may see. Closed with 4401 when the session ends, 4008 when the user opens more than auth.maxLiveSockets' } }, async (socket, req) => {
    const unsubscribe = deps.hub.subscribe({
      user: req.user,
      send: (msg) => {
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          socket.close(1013, 'too slow: reconnect');
          throw new Error('subscriber too slow');
        }
        socket.send(JSON.stringify(msg));
      },
    });
    socket.on('close', unsubscribe);
    // Nothing is read from the browser: the stream is one-way; actions go through REST.
    socket.on('message', () => socket.close(1003, 'this stream is read-only'));
    if (!deps.signInEnabled) return;
    // The guard authenticated the upgrade; this looks the session up once more for its id and end.
    const token = tokenOf(req);
    const session = token ? await deps.auth.session(token) : undefined;
    if (!session) socket.close(LIVE_CLOSE.SESSION_ENDED, 'session ended: sign in again');
    else if (socket.readyState === socket.OPEN) sockets.add(socket, session);
  });
}
