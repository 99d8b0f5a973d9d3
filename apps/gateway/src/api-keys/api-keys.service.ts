import type { z } from 'zod';
import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { Clock } from '@fleetplane/service-kit';
import { AuditService } from '../audit/audit.service.js';
import type { Caller, Principal } from '../auth/principal.js';
import { roleAllows } from '../auth/roles.js';
import { SCOPES, type Scope } from '../auth/scopes.js';
import { SessionEnder } from '../auth/session-ender.js';
import { sameHash, sha256 } from '../crypto/secrets.js';
import { fieldError } from '../http/field-error.js';
import { apiKeyPrefix, newApiKey } from './api-key-format.js';
import { ApiKeysRepository, type ApiKeyRow } from './api-keys.repository.js';
import type { apiKeyView, CreateApiKeyBody } from './api-keys.schemas.js';

/** A key as the API answers it: `apiKeyView` in api-keys.schemas.ts, inferred. */
export type ApiKeyView = z.infer<typeof apiKeyView>;

// lastUsedAt is for humans deciding which keys to retire; minute precision spares a write per request.
const TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class ApiKeysService {
  private readonly log = new Logger('api-keys');

  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly audit: AuditService,
    private readonly sessions: SessionEnder,
    private readonly clock: Clock,
  ) {}

  /** The key itself is returned only here; the database keeps its SHA-256. */
  async create(caller: Caller, body: CreateApiKeyBody): Promise<{ apiKey: ApiKeyView; key: string }> {
    const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt);
    if (expiresAt && expiresAt.getTime() <= this.clock.nowMs()) {
      await this.audit.recordFor(caller, { action: 'api_key.create', outcome: 'failed', details: { name: body.name, reason: 'expires_in_the_past' } });
      throw new BadRequestException(fieldError('expiresAt', 'must be in the future'));
    }
    // In SCOPES' order, each once.
    const scopes = body.scopes ? SCOPES.filter((s) => body.scopes!.includes(s)) : [...SCOPES];
    const { key, prefix } = newApiKey();
    const row = await this.repo.create({ prefix, keyHash: sha256(key), name: body.name, role: body.role, userId: caller.principal.userId, scopes, expiresAt });
    await this.audit.recordFor(caller, {
      action: 'api_key.create',
      outcome: 'success',
      target: row.id,
      details: { name: row.name, role: row.role, prefix, scopes, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { apiKey: toView(row), key };
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.repo.list()).map(toView);
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    const row = await this.repo.findById(id);
    if (!row) {
      await this.audit.recordFor(caller, { action: 'api_key.revoke', outcome: 'failed', target: id, details: { reason: 'not_found' } });
      throw new NotFoundException(`api key ${id} not found`);
    }
    await this.repo.revoke(id, this.clock.now());
    this.sessions.apiKeyRevoked(id);
    await this.audit.recordFor(caller, { action: 'api_key.revoke', outcome: 'success', target: id, details: { name: row.name, prefix: row.prefix } });
  }

  /** The principal for a presented key, or null. */
  async authenticate(key: string): Promise<Principal | null> {
    return (await this.verify(key))?.principal ?? null;
  }

  /**
   * The principal for a presented key and when the key expires (ms since the epoch, null
   * for never), or null. A key never grants more than its owner currently holds, dies
   * with a disabled owner, and is refused once revoked or expired.
   */
  async verify(key: string): Promise<{ principal: Principal; expiresAt: number | null } | null> {
    const prefix = apiKeyPrefix(key);
    if (!prefix) return null;
    const row = await this.repo.findByPrefix(prefix);
    const now = this.clock.now();
    if (!row || row.revokedAt || row.user.disabledAt || !sameHash(sha256(key), row.keyHash)) return null;
    if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      this.repo.touch(row.id, now).catch((err: Error) => this.log.warn(`lastUsedAt of api key ${row.id} not updated: ${err.message}`));
    }
    const role = roleAllows(row.user.role, row.role) ? row.role : row.user.role;
    return { principal: { kind: 'api_key', apiKeyId: row.id, userId: row.userId, role, scopes: scopesOf(row) }, expiresAt: row.expiresAt?.getTime() ?? null };
  }
}

/** The stored scopes that are still scopes (an unknown one, e.g. from a later version, grants nothing). */
const scopesOf = (row: ApiKeyRow): Scope[] => SCOPES.filter((s) => row.scopes.includes(s));

function toView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    userId: row.userId,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    scopes: scopesOf(row),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}
