import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { IntegrityError } from '../errors.js';
import { CIPHER_SUITES, open, seal, type CipherSuite } from './cipher.js';
import { masterKeyDescriptorSchema, type MasterKey } from './master-key.js';

export const keyringSchema = z.object({
  version: z.literal(1),
  repositoryId: z.string(),
  /** The suite every object in the repository is sealed with. */
  cipher: z.enum(CIPHER_SUITES),
  master: masterKeyDescriptorSchema,
  /** Data key 0 is the chunk-id key (never rotated: equal chunks must keep equal ids); 1.. seal data. */
  keys: z.array(z.object({ number: z.number().int().nonnegative(), createdAt: z.string(), wrapped: z.string() })),
  currentDataKey: z.number().int().positive(),
  /** HMAC over the fields above with a key derived from the id key: a changed keyring is detected. */
  mac: z.string(),
});
export type KeyringFile = z.infer<typeof keyringSchema>;

const ID_KEY = 0;

/**
 * The repository's keys, unwrapped: the chunk-id key and every data key ever made (old ones are
 * still needed to read). The file form holds each key wrapped by the master key, so rotating the
 * master key rewrites this one small file and no data; `addDataKey` starts a new key for new writes.
 */
export class Keyring {
  private constructor(
    private readonly repositoryId: string,
    private readonly master: MasterKey,
    private readonly keys: Map<number, { key: Buffer; createdAt: string }>,
    private current: number,
    readonly suite: CipherSuite,
  ) {}

  static create(repositoryId: string, master: MasterKey, suite: CipherSuite): Keyring {
    const now = new Date().toISOString();
    const keys = new Map([
      [ID_KEY, { key: randomBytes(32), createdAt: now }],
      [1, { key: randomBytes(32), createdAt: now }],
    ]);
    return new Keyring(repositoryId, master, keys, 1, suite);
  }

  static async open(file: KeyringFile, master: MasterKey): Promise<Keyring> {
    const keys = new Map<number, { key: Buffer; createdAt: string }>();
    for (const entry of file.keys) {
      const key = await master.unwrap(Buffer.from(entry.wrapped, 'base64'), wrapAad(file.repositoryId, entry.number));
      keys.set(entry.number, { key, createdAt: entry.createdAt });
    }
    const keyring = new Keyring(file.repositoryId, master, keys, file.currentDataKey, file.cipher);
    const expected = Buffer.from(keyring.mac(file), 'hex');
    const given = Buffer.from(file.mac, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(expected, given)) {
      throw new IntegrityError('the keyring was modified (its MAC does not match)');
    }
    if (!keys.has(ID_KEY) || !keys.has(file.currentDataKey)) throw new IntegrityError('the keyring lacks its id key or current data key');
    return keyring;
  }

  async toFile(): Promise<KeyringFile> {
    const keys: KeyringFile['keys'] = [];
    for (const [number, { key, createdAt }] of [...this.keys].sort(([a], [b]) => a - b)) {
      keys.push({ number, createdAt, wrapped: (await this.master.wrap(key, wrapAad(this.repositoryId, number))).toString('base64') });
    }
    const body = {
      version: 1 as const,
      repositoryId: this.repositoryId,
      cipher: this.suite,
      master: this.master.descriptor,
      keys,
      currentDataKey: this.current,
    };
    return { ...body, mac: this.mac(body) };
  }

  /** The same keys under another master key (rotation): the caller writes the result. */
  rewrap(master: MasterKey): Keyring {
    return new Keyring(this.repositoryId, master, new Map(this.keys), this.current, this.suite);
  }

  /** Starts a new data key for new writes; objects sealed with older keys stay readable. */
  addDataKey(): number {
    const number = Math.max(...this.keys.keys()) + 1;
    this.keys.set(number, { key: randomBytes(32), createdAt: new Date().toISOString() });
    this.current = number;
    return number;
  }

  get currentDataKey(): number {
    return this.current;
  }

  get dataKeyNumbers(): number[] {
    return [...this.keys.keys()].filter((n) => n !== ID_KEY).sort((a, b) => a - b);
  }

  /** The chunk id: HMAC-SHA-256 of the plaintext under the id key — equal data, equal id, no content revealed. */
  chunkId(plaintext: Uint8Array): string {
    return createHmac('sha256', this.idKey()).update(plaintext).digest('hex');
  }

  /** Seals with the current data key; the key number leads the output so `open` finds the key. */
  seal(plaintext: Uint8Array, aad: string): Buffer {
    const number = this.current;
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(number);
    return Buffer.concat([prefix, seal(this.suite, this.dataKey(number), plaintext, `${aad}|k${number}`)]);
  }

  open(sealed: Uint8Array, aad: string): Buffer {
    if (sealed.length < 2) throw new IntegrityError(`sealed object for ${aad} is truncated`);
    const number = (sealed[0]! << 8) | sealed[1]!;
    if (number === ID_KEY || !this.keys.has(number)) throw new IntegrityError(`sealed object for ${aad} names unknown data key ${number}`);
    return open(this.suite, this.dataKey(number), sealed.subarray(2), `${aad}|k${number}`);
  }

  private idKey(): Buffer {
    return this.keys.get(ID_KEY)!.key;
  }

  private dataKey(number: number): Buffer {
    return this.keys.get(number)!.key;
  }

  private mac(body: Omit<KeyringFile, 'mac'>): string {
    const macKey = createHmac('sha256', this.idKey()).update('fleetplane-backup/keyring-mac').digest();
    const canonical = JSON.stringify([body.version, body.repositoryId, body.cipher, body.master, body.keys, body.currentDataKey]);
    return createHmac('sha256', macKey).update(canonical).digest('hex');
  }
}

function wrapAad(repositoryId: string, number: number): string {
  return `fleetplane-backup/keyring/${repositoryId}/key/${number}`;
}
