import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DocSchema } from './document.js';
import type { Describes, Reads } from './document-agreement.js';
import { apiKeySchema, statisticsSchema, userSchema } from './schemas.js';

// The drift checks must fail when a schema drifts: each @ts-expect-error below is itself an error
// (and `pnpm typecheck` fails) if the check it names stopped catching the drift.

const _renamedField = userSchema.omit({ lastLoginAt: true }).extend({ lastLogin: z.string().nullable() });
// @ts-expect-error a renamed field does not read the document's User (lastLoginAt is required there)
export type RenamedFieldIsCaught = Reads<typeof _renamedField, DocSchema<'User'>>;

const _widerEnum = userSchema.extend({ role: z.enum(['viewer', 'operator', 'admin', 'root']) });
// @ts-expect-error a role the document does not have is not a body it describes
export type WiderEnumIsCaught = Describes<DocSchema<'User'>, z.output<typeof _widerEnum>>;

const _retyped = apiKeySchema.extend({ expiresAt: z.number().nullable() });
// @ts-expect-error a _retyped field (a number for an ISO string) reads nothing the document sends
export type RetypedFieldIsCaught = Reads<typeof _retyped, DocSchema<'ApiKey'>>;

describe('the zod schemas and the OpenAPI document', () => {
  it('give back every field of bodies typed as the document describes them', () => {
    const user: DocSchema<'User'> = {
      id: 'u1',
      email: 'a@b.c',
      role: 'admin',
      createdAt: '2026-12-01T09:00:00.000Z',
      disabledAt: null,
      lastLoginAt: '2026-12-01T10:00:00.000Z',
    };
    expect(userSchema.parse(user)).toEqual(user);
    const key: DocSchema<'ApiKey'> = {
      id: 'k1',
      name: 'ci',
      prefix: 'abcd',
      role: 'viewer',
      userId: 'u1',
      scopes: ['agents:read', 'users:write'],
      createdAt: '2026-12-01T09:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
      lastUsedAt: null,
      revokedAt: null,
    };
    expect(apiKeySchema.parse(key)).toEqual(key);
    const stats: DocSchema<'Statistics'> = {
      generatedAt: '2026-12-01T10:00:00.000Z',
      agents: { total: 1, connected: 1, bySite: [{ site: 'dc1', total: 1, connected: 1 }], byOs: [{ os: 'linux', total: 1, connected: 1 }] },
      commands: { lastHour: { total: 2, byState: { COMPLETED: 2 } }, lastDay: { total: 3, byState: { COMPLETED: 2, FAILED: 1 } } },
      executionsPerMinute: [{ minute: '2026-12-01T09:59:00.000Z', count: 2 }],
      alerts: { firing: null },
    };
    expect(statisticsSchema.parse(stats)).toEqual(stats);
  });
});
