import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { fieldError } from './field-error.js';

/** The first problem of a failed parse, as `a.b.0` plus its message. */
export function firstIssue(error: z.ZodError, root?: string): { field: string; message: string } {
  const issue = error.issues[0];
  const path = [...(root ? [root] : []), ...(issue?.path ?? []).map(String)];
  return { field: path.join('.') || root || 'body', message: issue?.message ?? 'is invalid' };
}

/**
 * Parses a body or query with its zod schema; a failure is a 400 naming the field.
 * `root` prefixes field names (e.g. query parameters have none, bodies have none either,
 * so `targets` and `params.argv` read as the client wrote them).
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly root?: string,
  ) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const { field, message } = firstIssue(parsed.error, this.root);
    throw new BadRequestException(fieldError(field, message));
  }
}
