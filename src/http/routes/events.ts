// GET /events: the live stream over a WebSocket, filtered by the role of whoever opened it (the
// session cookie or a bearer token on the upgrade request; the guard checks it before upgrading).
import type { FastifyInstance } from 'fastify';
import type { EventHub } from '../../events/hub';
import { CENTRE_STAFF } from '../../auth/roles';

// A screen that stops reading (a frozen tab) must not make the service buffer for ever.
const MAX_BUFFERED_BYTES = 1 << 20;

export function eventRoutes(app: FastifyInstance, deps: { hub: EventHub }): void {
  app.get('/events', { websocket: true, config: { access: CENTRE_STAFF }, schema: { summary: 'Live events (WebSocket): queue, seats, calls, alerts; what the role may see' } }, (socket, req) => {
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
  });
}
