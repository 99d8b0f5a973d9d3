import { commandV1 } from '@fleetplane/contracts/grpc';
import type { Priority } from '../generated/prisma/enums.js';

const { Priority: ProtoPriority } = commandV1;

/** Stored priority from the request; UNSPECIFIED means NORMAL, anything unknown is rejected (undefined). */
export function priorityFromProto(p: commandV1.Priority | string | undefined): Priority | undefined {
  switch (p) {
    case ProtoPriority.PRIORITY_CRITICAL:
      return 'CRITICAL';
    case ProtoPriority.PRIORITY_HIGH:
      return 'HIGH';
    case ProtoPriority.PRIORITY_NORMAL:
    case ProtoPriority.PRIORITY_UNSPECIFIED:
    case undefined:
    case '':
      return 'NORMAL';
    case ProtoPriority.PRIORITY_LOW:
      return 'LOW';
    default:
      return undefined;
  }
}

export function priorityToProto(p: Priority): commandV1.Priority {
  return ProtoPriority[`PRIORITY_${p}`];
}
