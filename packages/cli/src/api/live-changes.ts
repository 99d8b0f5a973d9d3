/** How a live-stream socket authenticates: the session's access token or a CI API key. */
export type StreamAuth = { token: string } | { apiKey: string };

/** What `run` waits on between reads of a command: a change of one of its executions, or a time. */
export interface Changes {
  /**
   * Resolves once an execution of the command changed since the last call (after a short pause,
   * so a burst of changes costs one read), or after `maxMs` at the latest.
   */
  next(maxMs: number): Promise<void>;
  close(): void;
}

/** Changes that arrive in a burst within this many ms are read together. */
export const COALESCE_MS = 100;
/** How long opening the stream may take before `run` polls instead. */
export const OPEN_TIMEOUT_MS = 3_000;
/** The least time between two openings of the stream, so a gateway that keeps closing it is not hammered. */
export const REOPEN_AFTER_MS = 5_000;

/**
 * Follows one command's executions on the gateway's live stream (`/api/v1/stream`: auth, then
 * subscribe with the command id), so `run` reads the command when something changed rather than
 * on a timer. Undefined when the stream cannot be opened in time (an old gateway, a proxy that
 * does not pass WebSockets): the caller then polls as before. A stream that closes later (its
 * access token expired: the gateway closes it then) is opened again with what `auth` gives at
 * that time — the caller's reads refresh the session's tokens — and until then the caller's
 * `maxMs` keeps it reading.
 */
export async function followCommand(baseUrl: string, auth: () => StreamAuth | undefined, commandId: string): Promise<Changes | undefined> {
  const url = `${baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}/api/v1/stream`;
  let changed = false;
  let wake: (() => void) | undefined;
  let socket: WebSocket | undefined;
  let openedAt = 0;
  let closedByUs = false;

  const open = async (): Promise<boolean> => {
    const credentials = auth();
    if (!credentials) return false;
    openedAt = Date.now();
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      return false;
    }
    const subscribed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), OPEN_TIMEOUT_MS);
      ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'auth', ...credentials })));
      ws.addEventListener('message', (ev: MessageEvent) => {
        let frame: { type?: string; commandId?: string };
        try {
          frame = JSON.parse(String(ev.data)) as typeof frame;
        } catch {
          return;
        }
        if (frame.type === 'ready') ws.send(JSON.stringify({ type: 'subscribe', commandId }));
        else if (frame.type === 'subscribed') {
          clearTimeout(timer);
          resolve(true);
        } else if (frame.type === 'execution.updated' && frame.commandId === commandId) {
          changed = true;
          wake?.();
        } else if (frame.type === 'error') resolve(false);
      });
      ws.addEventListener('close', () => {
        clearTimeout(timer);
        if (socket === ws) socket = undefined;
        resolve(false);
      });
      ws.addEventListener('error', () => resolve(false));
    });
    if (!subscribed || closedByUs) {
      ws.close();
      return false;
    }
    socket = ws;
    return true;
  };

  if (!(await open())) return undefined;
  return {
    async next(maxMs: number): Promise<void> {
      // Closed under us: what changed meanwhile was missed, so read now, and follow again.
      if (!socket && Date.now() - openedAt >= REOPEN_AFTER_MS) {
        await open();
        return;
      }
      if (!changed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, maxMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      if (changed) await new Promise((r) => setTimeout(r, COALESCE_MS));
      changed = false;
    },
    close: () => {
      closedByUs = true;
      socket?.close();
    },
  };
}
