import { TileProgramError, type CompiledProgram } from '@fleetplane/tile-compiler';
import { invalidArgument } from '@fleetplane/service-kit/grpc';
import type { ProgramCache } from './program-cache.js';

export interface ParsedProgram {
  readonly program: unknown;
  readonly hash: string;
  readonly compiled: CompiledProgram;
}

/** program_json → a compiled program, or INVALID_ARGUMENT carrying the compiler's message (it names the tile and field). */
export function parseProgram(json: string, programs: ProgramCache, field = 'program_json'): ParsedProgram {
  let program: unknown;
  try {
    program = JSON.parse(json);
  } catch {
    throw invalidArgument(field, 'is not JSON');
  }
  const hash = programs.hashOf(json, program);
  try {
    return { program, hash, compiled: programs.get(hash, program) };
  } catch (err) {
    if (err instanceof TileProgramError) throw invalidArgument(field, err.message);
    throw err;
  }
}
