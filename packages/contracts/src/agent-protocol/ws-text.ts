/**
 * A `ws` message (its RawData: one buffer, fragments, or an ArrayBuffer) as UTF-8 text, the
 * form the frame decoders take. Here, beside them, so that the hub, the gateway's stream, the
 * reference agent and the tests read frames one way (typed structurally: contracts needs no `ws`).
 */
export function wsDataToText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
