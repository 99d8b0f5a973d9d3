import { createHash, randomBytes, scrypt as scryptCallback } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';
import { RepositoryConfigError } from '../errors.js';
import { open, seal } from './cipher.js';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/**
 * A key-management service: wraps and unwraps small secrets under a key it holds and never hands out.
 * Cloud KMSs (AWS KMS, Azure Key Vault, GCP KMS) fit behind this as adapters; `LocalKms` is the
 * implementation that runs here (keys in memory, loaded from a file or env by the caller).
 */
export interface Kms {
  encrypt(keyId: string, plaintext: Buffer, aad: string): Promise<Buffer>;
  decrypt(keyId: string, ciphertext: Buffer, aad: string): Promise<Buffer>;
}

export class LocalKms implements Kms {
  constructor(private readonly keys: ReadonlyMap<string, Buffer>) {
    for (const [id, key] of keys) if (key.length !== 32) throw new RepositoryConfigError(`local KMS key ${id} must be 32 bytes`);
  }
  encrypt(keyId: string, plaintext: Buffer, aad: string): Promise<Buffer> {
    return Promise.resolve(seal('aes-256-gcm', this.key(keyId), plaintext, aad));
  }
  decrypt(keyId: string, ciphertext: Buffer, aad: string): Promise<Buffer> {
    return Promise.resolve(open('aes-256-gcm', this.key(keyId), ciphertext, aad));
  }
  private key(keyId: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new RepositoryConfigError(`local KMS has no key "${keyId}"`);
    return key;
  }
}

/** Where the master key comes from: a passphrase (scrypt), a raw 32-byte key (env or file), or a KMS key. */
export type MasterKeySource = { passphrase: string } | { key: Buffer } | { kms: Kms; keyId: string };

/** What the keyring records about its master key: enough to derive or find it again, never the key itself. */
export const masterKeyDescriptorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('passphrase'), salt: z.string(), N: z.number().int(), r: z.number().int(), p: z.number().int() }),
  z.object({ kind: z.literal('key'), fingerprint: z.string() }),
  z.object({ kind: z.literal('kms'), keyId: z.string() }),
]);
export type MasterKeyDescriptor = z.infer<typeof masterKeyDescriptorSchema>;

/** The resolved master key: wraps the repository's data keys (envelope encryption). */
export interface MasterKey {
  readonly descriptor: MasterKeyDescriptor;
  wrap(plaintext: Buffer, aad: string): Promise<Buffer>;
  unwrap(wrapped: Buffer, aad: string): Promise<Buffer>;
}

// scrypt cost: ~100 ms and 32 MiB here, paid once per open, not per chunk.
const SCRYPT = { N: 1 << 15, r: 8, p: 1 };

/**
 * Resolves a source into a master key. With `existing` (opening a repository) the passphrase is
 * derived with the recorded salt and parameters, and a raw key must match the recorded fingerprint;
 * without it (creating, or rotating to a new master key) a fresh salt is drawn.
 */
export async function resolveMasterKey(source: MasterKeySource, existing?: MasterKeyDescriptor): Promise<MasterKey> {
  if ('passphrase' in source) {
    if (source.passphrase.length === 0) throw new RepositoryConfigError('the passphrase must not be empty');
    const params =
      existing?.kind === 'passphrase'
        ? { salt: Buffer.from(existing.salt, 'base64'), N: existing.N, r: existing.r, p: existing.p }
        : { salt: randomBytes(16), ...SCRYPT };
    const key = await scrypt(source.passphrase, params.salt, 32, { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 });
    return symmetric(key, { kind: 'passphrase', salt: params.salt.toString('base64'), N: params.N, r: params.r, p: params.p });
  }
  if ('key' in source) {
    if (source.key.length !== 32) throw new RepositoryConfigError('the master key must be 32 bytes (base64 of 32 random bytes)');
    // The fingerprint says which key a keyring needs without revealing it.
    const fingerprint = createHash('sha256').update('fleetplane-backup/master-key-fingerprint').update(source.key).digest('hex').slice(0, 16);
    if (existing && existing.kind === 'key' && existing.fingerprint !== fingerprint) {
      throw new RepositoryConfigError(`the master key does not match this repository (it needs key ${existing.fingerprint})`);
    }
    return symmetric(source.key, { kind: 'key', fingerprint });
  }
  const { kms, keyId } = source;
  return {
    descriptor: { kind: 'kms', keyId },
    wrap: (plaintext, aad) => kms.encrypt(keyId, plaintext, aad),
    unwrap: (wrapped, aad) => kms.decrypt(keyId, wrapped, aad),
  };
}

function symmetric(key: Buffer, descriptor: MasterKeyDescriptor): MasterKey {
  return {
    descriptor,
    wrap: (plaintext, aad) => Promise.resolve(seal('aes-256-gcm', key, plaintext, aad)),
    unwrap: (wrapped, aad) => Promise.resolve(open('aes-256-gcm', key, wrapped, aad)),
  };
}
