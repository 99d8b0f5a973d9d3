import { ProgramBuilder } from '../program/builder.js';
import type { Plan } from '../program/plan.js';
import { resolveProgram } from '../program/resolve.js';
import type { Program } from '../program/types.js';
import { validateProgram } from '../program/validate.js';

/** Shared fixtures for pass tests (not a spec file, so excluded from nothing but imported only by specs). */
export const planOf = (program: Program): Plan => resolveProgram(validateProgram(program));

export function build(fn: (p: ProgramBuilder) => void): Plan {
  const p = new ProgramBuilder();
  fn(p);
  return planOf(p.build());
}
