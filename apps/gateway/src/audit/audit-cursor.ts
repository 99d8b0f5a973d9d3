import { BadRequestException } from '@nestjs/common';
import { fieldError } from '../http/field-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Keyset paging over (at, id): stable while new rows arrive at the top.
export const encodeCursor = (c: { at: Date; id: string }): string => Buffer.from(`${c.at.toISOString()}|${c.id}`).toString('base64url');

export function decodeCursor(token: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(token, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || !UUID.test(id) || Number.isNaN(at.getTime())) throw new BadRequestException(fieldError('pageToken', 'is not a token this API returned'));
  return { at, id };
}
