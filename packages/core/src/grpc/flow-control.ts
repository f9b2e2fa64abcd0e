/**
 * HTTP/2 flow-control windows for a grpc-js server. Node's HTTP/2 starts every
 * connection and stream with a 64 KiB receive window, so a client streaming a
 * megabyte (an update, a model) waits for a WINDOW_UPDATE about every 64 KiB:
 * one round trip through the server's event loop each, which under load is
 * most of the upload's time. grpc-js reads `grpc-node.flow_control_window` on
 * the client side only (grpc/grpc-node#3058 would add the server), so the
 * server's windows are widened here: the stream window in the SETTINGS it
 * advertises, the connection window on each new session.
 */
import type { Http2Server, Http2Session, Settings } from 'node:http2';

import type { Server } from '@grpc/grpc-js';

/** The grpc-js internals this touches, checked before use. */
interface ServerInternals {
  commonServerOptions?: { settings?: Settings };
  createHttp2Server?: (credentials: unknown) => Http2Server;
}

/**
 * Widens the receive windows of every listener `server` binds after this call
 * to `bytes`. Returns false, changing nothing, when grpc-js no longer has the
 * internals this relies on (the windows then stay at 64 KiB: slower, not wrong).
 */
export function widenReceiveWindows(server: Server, bytes: number): boolean {
  const internals = server as unknown as ServerInternals;
  const common = internals.commonServerOptions;
  const create = internals.createHttp2Server;
  if (typeof common !== 'object' || common === null || typeof create !== 'function') return false;
  common.settings = { ...common.settings, initialWindowSize: bytes };
  internals.createHttp2Server = (credentials) => {
    const http2Server = create.call(server, credentials);
    http2Server.on('session', (session: Http2Session) => session.setLocalWindowSize(bytes));
    return http2Server;
  };
  return true;
}
