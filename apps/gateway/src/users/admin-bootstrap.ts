import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig } from '@fleetplane/service-kit';
import { AuditService } from '../audit/audit.service.js';
import type { GatewayConfig } from '../config.js';
import { PasswordHasher } from './password-hasher.js';
import { UsersRepository } from './users.repository.js';

/**
 * With ADMIN_EMAIL and ADMIN_PASSWORD set, creates that admin at start-up if no user has the
 * email. An existing account is never touched, so a stale password in the environment cannot
 * reset a changed one. Neither value is logged.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly log = new Logger('users');

  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    private readonly audit: AuditService,
    @InjectConfig() private readonly config: Pick<GatewayConfig, 'ADMIN_EMAIL' | 'ADMIN_PASSWORD'>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = this.config;
    if (!email || !password) return;
    if (await this.users.findByEmail(email)) return;
    const created = await this.users.create(email, await this.passwords.hash(password), 'admin');
    if (!created) return; // another instance created it first
    this.log.log('initial admin account created from ADMIN_EMAIL/ADMIN_PASSWORD');
    await this.audit.record({ action: 'user.bootstrap_admin', outcome: 'success', ip: null, target: created.id, details: { role: 'admin' } });
  }
}
