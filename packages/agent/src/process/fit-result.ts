import type { AgentResultBody } from '../exec/session-link.js';

export type { ResultBody } from '../exec/session-link.js';

// Room for the envelope (v, id, ts, trace) around the body.
const ENVELOPE_BYTES = 1_024;

/**
 * JSON escaping can make output several times larger than its bytes (a NUL
 * becomes \u0000), and the hub closes any frame over its limit. Cuts stdout and
 * stderr further, marking the result truncated, until the frame fits.
 */
export function fitResult<T extends Pick<AgentResultBody, 'stdout' | 'stderr' | 'truncated'> = AgentResultBody>(body: T, maxFrameBytes: number): T {
  let fitted = body;
  while (Buffer.byteLength(JSON.stringify(fitted)) + ENVELOPE_BYTES > maxFrameBytes) {
    const stdout = fitted.stdout ?? '';
    const stderr = fitted.stderr ?? '';
    if (stdout.length === 0 && stderr.length === 0) break;
    fitted = {
      ...fitted,
      stdout: stdout.slice(0, Math.floor(stdout.length / 2)),
      stderr: stderr.slice(0, Math.floor(stderr.length / 2)),
      truncated: true,
    };
  }
  return fitted;
}
