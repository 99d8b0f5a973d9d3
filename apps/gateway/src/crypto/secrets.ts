import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A high-entropy bearer secret (256 bits), URL-safe. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Hex SHA-256. Enough for random 256-bit secrets, which cannot be brute-forced like passwords. */
export const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
