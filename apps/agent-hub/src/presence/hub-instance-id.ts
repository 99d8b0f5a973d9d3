import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';

/**
 * This process's id in hub_instances, new at every start: a restarted hub is a
 * new instance, and the sessions its previous life held are cleared as a dead
 * instance's. The host name first, so an operator reading an agent sees where it is.
 */
@Injectable()
export class HubInstanceId {
  readonly id = `${hostname().slice(0, 48)}-${randomUUID().slice(0, 8)}`;
}
