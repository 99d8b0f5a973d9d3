import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { Principal } from './principal.js';

type Verify = (key: string, done: (err: unknown, principal?: Principal | false | null) => void) => void;

/** A passport strategy for the `X-API-Key` header; without the header it fails so the next strategy runs. */
class HeaderApiKeyStrategy extends Strategy {
  name = 'api-key';

  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(req: Request): void {
    // The shared pino redaction keeps this header out of the logs.
    const header = req.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) return this.fail(401);
    this.verify(key, (err, principal) => {
      if (err) return this.error(err as Error);
      if (!principal) return this.fail(401);
      return this.success(principal);
    });
  }
}

@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderApiKeyStrategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  validate(key: string): Promise<Principal | null> {
    return this.apiKeys.authenticate(key);
  }
}
