import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ZodPipe } from '../http/zod.pipe.js';
import { submitCommandBody } from './commands.schemas.js';

const pipe = new ZodPipe(submitCommandBody);

function fieldOf(body: unknown): string | undefined {
  try {
    pipe.transform(body);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestException);
    const res = (err as BadRequestException).getResponse() as { statusCode: number; error: string; field: string; message: string };
    expect(res.statusCode).toBe(400);
    expect(res.error).toBe('Bad Request');
    expect(res.message.startsWith(`${res.field}: `)).toBe(true);
    return res.field;
  }
}

const ok = { verb: 'exec', params: { argv: ['echo', 'hello'] }, targets: ['agent-1'] };

describe('submit command body', () => {
  it('accepts the walking-skeleton body and fills the defaults', () => {
    expect(pipe.transform(ok)).toEqual({ ...ok, priority: 'normal' });
    expect(pipe.transform({ ...ok, priority: 'critical', timeoutSeconds: 30, idempotencyKey: 'k' })).toMatchObject({
      priority: 'critical',
      timeoutSeconds: 30,
    });
  });

  it.each([
    [{ params: ok.params, targets: ok.targets }, 'verb'],
    [{ ...ok, targets: undefined }, 'targets'],
    [{ ...ok, targets: [] }, 'targets'],
    [{ ...ok, targets: 'agent-1' }, 'targets'],
    [{ ...ok, targets: ['agent-1', 'agent-1'] }, 'targets'],
    [{ ...ok, targets: ['agent 1'] }, 'targets.0'],
    [{ ...ok, params: ['echo'] }, 'params'],
    [{ ...ok, priority: 'urgent' }, 'priority'],
    [{ ...ok, timeoutSeconds: 0 }, 'timeoutSeconds'],
    [{ ...ok, timeoutSeconds: '30' }, 'timeoutSeconds'],
    [{ ...ok, idempotencyKey: '' }, 'idempotencyKey'],
    [{ ...ok, shell: 'echo hello' }, ''],
  ])('names the field of %j', (body, field) => {
    const got = fieldOf(body);
    if (field) expect(got).toBe(field);
    else expect(got).toBeDefined();
  });

  it('treats a missing body as an empty one, naming the first missing field', () => {
    expect(fieldOf(undefined)).toBe('verb');
  });
});
