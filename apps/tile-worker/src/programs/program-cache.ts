import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { InjectConfig } from '@fleetplane/service-kit';
import { compile, estimateFor, type CompiledProgram } from '@fleetplane/tile-compiler';
import type { TileWorkerConfig } from '../config.js';
import { TileMetrics } from '../metrics/tile-metrics.js';

/**
 * Compiled programs by canonical hash: a program is validated, optimised and
 * code-generated once, then reused by every job (and explain) that submits
 * it. The stage structure does not depend on row counts, so one compiled
 * form serves every job; a job's own sizes are estimated with estimateFor.
 */
@Injectable()
export class ProgramCache {
  private readonly programs: LRUCache<string, CompiledProgram>;
  private hits = 0;
  private misses = 0;

  constructor(
    @InjectConfig() config: Pick<TileWorkerConfig, 'COMPILED_PROGRAMS'>,
    @Inject(TileMetrics) private readonly metrics: TileMetrics,
  ) {
    this.programs = new LRUCache({ max: config.COMPILED_PROGRAMS });
  }

  /** Throws TileProgramError (naming tile and field) for a bad program. */
  get(hash: string, program: unknown): CompiledProgram {
    const cached = this.programs.get(hash);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const stop = this.metrics.compileTimer();
    const compiled = compile(program);
    stop();
    this.programs.set(hash, compiled);
    return compiled;
  }

  /** Memory and cost estimates of a compiled program for a job's source sizes. */
  estimate(compiled: CompiledProgram, sourceRows: Readonly<Record<string, number>>): ReturnType<typeof estimateFor> {
    return estimateFor(compiled, sourceRows);
  }

  /** explain() with the caller's source sizes in its estimates: a compile of its own (explain is not a hot path). */
  explainFor(program: unknown, sourceRows: Readonly<Record<string, number>>): string {
    return compile(program, { sourceRows }).explain();
  }

  stats(): { size: number; hits: number; misses: number } {
    return { size: this.programs.size, hits: this.hits, misses: this.misses };
  }
}
