import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { IntegrityError, RepositoryConfigError } from '../errors.js';

/**
 * Authenticated encryption of one object (a chunk blob, a pack header, an index, a manifest, a keyring
 * entry). Only authenticated suites exist: AES-256-GCM (the default) and AES-256-CBC with
 * encrypt-then-MAC (HMAC-SHA-256 over iv and ciphertext), for sites that must use CBC. Any other name
 * is refused when the repository is created, so an unauthenticated mode cannot be configured.
 *
 * `aad` binds the ciphertext to where it belongs (e.g. the chunk id), so moving a valid sealed object
 * to another place fails authentication.
 */
export const CIPHER_SUITES = ['aes-256-gcm', 'aes-256-cbc-hmac-sha256'] as const;
export type CipherSuite = (typeof CIPHER_SUITES)[number];

export function assertCipherSuite(name: string): asserts name is CipherSuite {
  if (!(CIPHER_SUITES as readonly string[]).includes(name)) {
    throw new RepositoryConfigError(`cipher "${name}" is not accepted: use one of ${CIPHER_SUITES.join(', ')} (unauthenticated modes are refused)`);
  }
}

const GCM_NONCE = 12;
const GCM_TAG = 16;
const CBC_IV = 16;
const MAC = 32;

/** The overhead a sealed object adds to its plaintext, at most (CBC padding included). */
export const SEAL_OVERHEAD = CBC_IV + 16 + MAC;

export function seal(suite: CipherSuite, key: Buffer, plaintext: Uint8Array, aad: string): Buffer {
  if (suite === 'aes-256-gcm') {
    const nonce = randomBytes(GCM_NONCE);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]);
  }
  // CBC: separate encryption and MAC keys, both derived from the one 32-byte key.
  const { encKey, macKey } = cbcKeys(key);
  const iv = randomBytes(CBC_IV);
  const cipher = createCipheriv('aes-256-cbc', encKey, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const mac = cbcMac(macKey, aad, iv, body);
  return Buffer.concat([iv, body, mac]);
}

export function open(suite: CipherSuite, key: Buffer, sealed: Uint8Array, aad: string): Buffer {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (suite === 'aes-256-gcm') {
    if (data.length < GCM_NONCE + GCM_TAG) throw new IntegrityError(`sealed object for ${aad} is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, GCM_NONCE));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(data.subarray(data.length - GCM_TAG));
    try {
      return Buffer.concat([decipher.update(data.subarray(GCM_NONCE, data.length - GCM_TAG)), decipher.final()]);
    } catch {
      throw new IntegrityError(`authentication failed for ${aad}`);
    }
  }
  const { encKey, macKey } = cbcKeys(key);
  if (data.length < CBC_IV + 16 + MAC) throw new IntegrityError(`sealed object for ${aad} is truncated`);
  const iv = data.subarray(0, CBC_IV);
  const body = data.subarray(CBC_IV, data.length - MAC);
  // MAC first, constant time; the ciphertext is not decrypted unless it is authentic.
  if (!timingSafeEqual(cbcMac(macKey, aad, iv, body), data.subarray(data.length - MAC))) throw new IntegrityError(`authentication failed for ${aad}`);
  const decipher = createDecipheriv('aes-256-cbc', encKey, iv);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

function cbcKeys(key: Buffer): { encKey: Buffer; macKey: Buffer } {
  return {
    encKey: createHmac('sha256', key).update('fleetplane-backup/cbc/enc').digest(),
    macKey: createHmac('sha256', key).update('fleetplane-backup/cbc/mac').digest(),
  };
}

function cbcMac(macKey: Buffer, aad: string, iv: Buffer, body: Buffer): Buffer {
  const aadBytes = Buffer.from(aad);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(aadBytes.length);
  return createHmac('sha256', macKey).update(length).update(aadBytes).update(iv).update(body).digest();
}
