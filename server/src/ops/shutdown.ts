/**
 * Shutdown within a deadline whatever clients do: idle keep-alive connections close at once; a client holding a
 * request open (unfinished headers, a body that never ends) is cut off when the deadline passes, so server.close()
 * can finish and the pending minute of history is written.
 */
import type { Server } from 'node:http';

export function closeConnectionsWithin(server: Server, deadlineMs: number, log: { warn: (msg: string) => void }): { cancel(): void } {
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    log.warn(`shutdown: connections still open after ${deadlineMs / 1000} s (SHUTDOWN_TIMEOUT_S) are closed now`);
    server.closeAllConnections();
  }, deadlineMs);
  timer.unref();
  return { cancel: () => clearTimeout(timer) };
}
