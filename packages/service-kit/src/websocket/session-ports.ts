/**
 * The ports every WebSocket session speaks through. Sessions are plain classes
 * behind them, so a unit test drives one with a fake socket and fake timers.
 */

/** The one WebSocket a session speaks over (a thin wrapper around `ws`, or a fake in tests). */
export interface SessionSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  isOpen(): boolean;
}

/** Nest's `Logger` fits; so does a silent object in tests. */
export interface SessionLog {
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}
