/** RFC 6455 §5.5: a close frame's payload is at most 125 bytes, 2 of them the code. */
export const MAX_CLOSE_REASON_BYTES = 123;
const ELLIPSIS = '...';

/**
 * `reason` as a close reason `ws` will accept: unchanged when it fits in 123
 * bytes of UTF-8, else cut (never inside a character) and marked with "...".
 * `ws` throws on a longer one, and a reason is counted in bytes, not characters.
 */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES - ELLIPSIS.length;
  // Back off continuation bytes (10xxxxxx) to the first byte of the character that would be split.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + ELLIPSIS;
}
