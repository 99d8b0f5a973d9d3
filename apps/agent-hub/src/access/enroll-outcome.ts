import type { EnrollRefusal } from './enrollment.service.js';

/** Bounded label values of fleetplane_agent_hub_enrollments_total. */
export type EnrollOutcome = 'enrolled' | 'reenrolled' | EnrollRefusal | 'busy' | 'bad_request' | 'too_large' | 'error';
