import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { InjectConfig } from '@fleetplane/service-kit';
import { compile, estimateFor, warmUpCompiler, type CompiledProgram } from '@fleetplane/tile-compiler';
import type { TileWorkerConfig } from '../config.js';
import { programHash, sha256 } from './canonical-hash.js';
import { TileMetrics } from '../metrics/tile-metrics.js';

/**
 * Compiled programs by canonical hash: a program is validated, optimised and
 * code-generated once, then reused by every job (and explain) that submits
 * it. The stage structure does not depend on row counts, so one compiled
 * form serves every job; a job's own sizes are estimated with estimateFor.
 */
@Injectable()
export class ProgramCache implements OnModuleInit {
  private readonly programs: LRUCache<string, CompiledProgram>;
  /** Canonical hash by sha-256 of the submitted text: a repeat of the same text skips the canonical JSON. */
  private readonly hashes: LRUCache<string, string>;
  private hits = 0;
  private misses = 0;

  constructor(
    @InjectConfig() config: Pick<TileWorkerConfig, 'COMPILED_PROGRAMS'>,
    @Inject(TileMetrics) private readonly metrics: TileMetrics,
  ) {
    this.programs = new LRUCache({ max: config.COMPILED_PROGRAMS });
    this.hashes = new LRUCache({ max: config.COMPILED_PROGRAMS * 4 });
  }

  /** The compiler's code optimised at start, so the first SubmitJob's compile is not a cold one (BENCHMARKS.md). */
  onModuleInit(): void {
    warmUpCompiler();
  }

  /**
   * The program's canonical hash (sorted-key JSON, sha-256). Canonicalising a 1,000-tile program
   * costs tens of milliseconds; hashing the text costs well under one, so the text's hash is
   * looked up first and the canonical form is computed once per distinct text.
   */
  hashOf(json: string, program: unknown): string {
    const text = sha256(json);
    let hash = this.hashes.get(text);
    if (hash === undefined) {
      hash = programHash(program);
      this.hashes.set(text, hash);
    }
    return hash;
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
