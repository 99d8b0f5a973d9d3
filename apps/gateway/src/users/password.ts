import { argon2, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// New hashes are argon2id in the PHC string format, `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`
// (unpadded base64), computed by Node's own crypto.argon2 (since 24.7; no native addon to build).
// The cost travels with each hash, so it can be raised later without invalidating stored ones.
// Hashes from before argon2id, `scrypt$N$r$p$<salt>$<hash>` (base64url), still verify; the
// next successful sign-in replaces them (needsRehash).

export interface Argon2Cost {
  /** Memory in KiB. */
  m: number;
  /** Passes. */
  t: number;
  /** Lanes. */
  p: number;
}
/** OWASP's Password Storage Cheat Sheet minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_COST: Argon2Cost = { m: 19_456, t: 2, p: 1 };
const ARGON2_TAG_BYTES = 32;
const ARGON2_VERSION = 19;
const ARGON2 = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
const SCRYPT_KEY_LENGTH = 64;
const SALT_BYTES = 16;

const unpadded = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

function deriveArgon2(password: string, salt: Buffer, cost: Argon2Cost): Promise<Buffer> {
  const params = { message: password.normalize('NFKC'), nonce: salt, memory: cost.m, passes: cost.t, parallelism: cost.p, tagLength: ARGON2_TAG_BYTES };
  return new Promise((resolve, reject) => argon2('argon2id', params, (err, key) => (err ? reject(err) : resolve(key))));
}

function deriveScrypt(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 128 * cost.N * cost.r * 2 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, SCRYPT_KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** An argon2id PHC string with a fresh random salt per call. */
export async function hashPassword(password: string, cost: Argon2Cost = ARGON2_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveArgon2(password, salt, cost);
  return `$argon2id$v=${ARGON2_VERSION}$m=${cost.m},t=${cost.t},p=${cost.p}$${unpadded(salt)}$${unpadded(key)}`;
}

/** The legacy format, kept so tests can make the hashes older accounts still have. */
export async function hashPasswordScrypt(password: string, cost: ScryptCost = { N: 16_384, r: 8, p: 1 }): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveScrypt(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time comparison, for either format; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const a = ARGON2.exec(stored);
  if (a) {
    const [m, t, p] = [Number(a[1]), Number(a[2]), Number(a[3])];
    // Bounds keep a corrupted row from asking for gigabytes, or from failing inside argon2.
    if (p < 1 || p > 16 || t < 1 || t > 20 || m < 8 * p || m > 1_048_576) return false;
    const salt = Buffer.from(a[4]!, 'base64');
    const expected = Buffer.from(a[5]!, 'base64');
    if (salt.length < 8 || expected.length !== ARGON2_TAG_BYTES) return false;
    return timingSafeEqual(await deriveArgon2(password, salt, { m, t, p }), expected);
  }
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (!N || !r || !p) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length !== SCRYPT_KEY_LENGTH) return false;
  return timingSafeEqual(await deriveScrypt(password, salt, { N, r, p }), expected);
}

/** True for a hash weaker than today's: scrypt, or argon2id below ARGON2_COST. Sign-in then stores a new one. */
export function needsRehash(stored: string, cost: Argon2Cost = ARGON2_COST): boolean {
  const a = ARGON2.exec(stored);
  if (!a) return true;
  return Number(a[1]) < cost.m || Number(a[2]) < cost.t || Number(a[3]) < cost.p;
}

// Checked against when the email is unknown, so a failed login takes as long
// whether or not the account exists.
let decoy: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await decoy);
}
