import { createHash } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';
import { IntegrityError } from '../errors.js';
import { AAD, PACK_MAGIC } from './format-version.js';
import { packHeaderSchema, type BlobEntry } from './schemas.js';

/** A blob ready to pack: the sealed bytes and what the header records about them. */
export interface SealedBlob {
  readonly id: string;
  readonly sealed: Buffer;
  readonly rawLength: number;
  readonly compression: BlobEntry['compression'];
}

/**
 * Pack layout: MAGIC(8) · blob… · sealed header · header length (u32 BE). The header lists each blob's
 * id, offset, length and encoding, sealed so it cannot be altered; the pack's id is the SHA-256 of all
 * its bytes, so any change to a pack — even in bytes no header points at — shows in `verify`.
 */
export function buildPack(blobs: readonly SealedBlob[], keyring: Keyring): { id: string; bytes: Buffer; entries: BlobEntry[] } {
  const entries: BlobEntry[] = [];
  let offset = PACK_MAGIC.length;
  for (const blob of blobs) {
    entries.push({ id: blob.id, offset, length: blob.sealed.length, rawLength: blob.rawLength, compression: blob.compression });
    offset += blob.sealed.length;
  }
  const header = keyring.seal(Buffer.from(JSON.stringify({ version: 1, blobs: entries })), AAD.packHeader);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  const bytes = Buffer.concat([PACK_MAGIC, ...blobs.map((b) => b.sealed), header, length]);
  return { id: createHash('sha256').update(bytes).digest('hex'), bytes, entries };
}

/** Checks a whole pack against its name and returns its header's entries. */
export function readPack(id: string, bytes: Buffer, keyring: Keyring): BlobEntry[] {
  if (createHash('sha256').update(bytes).digest('hex') !== id) throw new IntegrityError(`pack ${id} does not match its checksum`);
  if (bytes.length < PACK_MAGIC.length + 4 || !bytes.subarray(0, PACK_MAGIC.length).equals(PACK_MAGIC)) throw new IntegrityError(`pack ${id} is not a v1 pack`);
  const headerLength = bytes.readUInt32BE(bytes.length - 4);
  const headerStart = bytes.length - 4 - headerLength;
  if (headerStart < PACK_MAGIC.length) throw new IntegrityError(`pack ${id} has a header length past its start`);
  const header = packHeaderSchema.safeParse(JSON.parse(keyring.open(bytes.subarray(headerStart, bytes.length - 4), AAD.packHeader).toString()));
  if (!header.success) throw new IntegrityError(`pack ${id} has an unreadable header`);
  for (const blob of header.data.blobs) {
    if (blob.offset < PACK_MAGIC.length || blob.offset + blob.length > headerStart) throw new IntegrityError(`pack ${id} header points outside the pack`);
  }
  return header.data.blobs;
}
