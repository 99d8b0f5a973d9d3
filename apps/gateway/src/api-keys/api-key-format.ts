import { randomBytes } from 'node:crypto';
import { randomSecret } from '../crypto/secrets.js';

// fp_<12 hex prefix>_<43 base64url chars = 256 bits>. The prefix is not secret: it finds the
// row without scanning, and lets a leaked key be recognised in logs or scanners.
const KEY = /^fp_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function newApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(6).toString('hex');
  return { key: `fp_${prefix}_${randomSecret(32)}`, prefix };
}

/** The prefix of a well-formed key, else null. */
export function apiKeyPrefix(key: string): string | null {
  return KEY.exec(key)?.[1] ?? null;
}
