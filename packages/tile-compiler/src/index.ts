export * from './program/types.js';
export { TileProgramError } from './program/errors.js';
export { validateProgram } from './program/validate.js';
export { resolveProgram } from './program/resolve.js';
export { describePlan, type Plan, type PlanNode } from './program/plan.js';
export { parseExpression } from './expressions/parse.js';
export { EXPRESSION_LIMITS, FORBIDDEN_NAMES } from './expressions/limits.js';
export { MATH_FUNCTIONS } from './expressions/functions.js';
