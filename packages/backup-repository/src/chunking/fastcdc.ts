import { GEAR, maskFor, type Mask64 } from './gear.js';

/** Chunk size bounds. Defaults near 512 KiB / 1 MiB / 8 MiB: large enough that a 1 GiB dump is ~1000 chunks. */
export interface ChunkerParams {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  /** Normalization level 0-3 (FastCDC paper §4.4); 1 by default, as in fastcdc-rs. */
  readonly normalization?: 0 | 1 | 2 | 3;
}

export const DEFAULT_CHUNKER_PARAMS: ChunkerParams = { minSize: 512 * 1024, avgSize: 1024 * 1024, maxSize: 8 * 1024 * 1024, normalization: 1 };

// The ranges fastcdc-rs accepts; outside them the mask table has no entry.
const LIMITS = { minSize: [64, 1_048_576], avgSize: [256, 4_194_304], maxSize: [1024, 16_777_216] } as const;

export function validateChunkerParams(params: ChunkerParams): void {
  for (const field of ['minSize', 'avgSize', 'maxSize'] as const) {
    const [low, high] = LIMITS[field];
    const value = params[field];
    if (!Number.isInteger(value) || value < low || value > high) throw new RangeError(`chunker ${field} must be an integer in [${low}, ${high}], got ${value}`);
  }
  if (!(params.minSize <= params.avgSize && params.avgSize <= params.maxSize)) throw new RangeError('chunker sizes must satisfy minSize <= avgSize <= maxSize');
}

/** A cut: where the chunk ends (exclusive, relative to the start given) and the gear hash at that point. */
export interface Cut {
  readonly length: number;
  readonly hashHi: number;
  readonly hashLo: number;
}

/**
 * FastCDC (2020 variant, normalized chunking, two bytes rolled per iteration), a faithful port of
 * fastcdc-rs `v2020::cut_gear` — same masks, same gear table, so the same cut points and hashes, which
 * `fastcdc.spec.ts` checks against that crate's published vectors. The 64-bit hash is carried as two
 * 32-bit halves.
 */
export class FastCdc {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  private readonly maskS: Mask64;
  private readonly maskL: Mask64;
  private readonly maskSLs: Mask64;
  private readonly maskLLs: Mask64;

  constructor(params: ChunkerParams = DEFAULT_CHUNKER_PARAMS) {
    validateChunkerParams(params);
    this.minSize = params.minSize;
    this.avgSize = params.avgSize;
    this.maxSize = params.maxSize;
    // Rounded log2 (fastcdc-rs >= 4.0.1): the mask whose target size is closest to avgSize.
    const bits = Math.round(Math.log2(params.avgSize));
    const level = params.normalization ?? 1;
    this.maskS = maskFor(bits + level, 0);
    this.maskL = maskFor(bits - level, 0);
    this.maskSLs = maskFor(bits + level, 1);
    this.maskLLs = maskFor(bits - level, 1);
  }

  /**
   * The next cut in `source[start, end)`. When fewer than minSize bytes remain, the whole rest is one
   * chunk with hash 0. Callers that stream must give at least maxSize bytes unless at end of input.
   */
  cut(source: Uint8Array, start: number, end: number): Cut {
    let remaining = end - start;
    if (remaining <= this.minSize) return { length: remaining, hashHi: 0, hashLo: 0 };
    let center = this.avgSize;
    if (remaining > this.maxSize) remaining = this.maxSize;
    else if (remaining < center) center = remaining;
    const limit1 = center >>> 1;
    const limit2 = remaining >>> 1;
    const { hi: gHi, lo: gLo, lsHi, lsLo } = GEAR;
    const sHi = this.maskS.hi;
    const sLo = this.maskS.lo;
    const sLsHi = this.maskSLs.hi;
    const sLsLo = this.maskSLs.lo;
    const lHi = this.maskL.hi;
    const lLo = this.maskL.lo;
    const lLsHi = this.maskLLs.hi;
    const lLsLo = this.maskLLs.lo;
    let hi = 0;
    let lo = 0;
    let index = this.minSize >>> 1;
    let mHi = sHi;
    let mLo = sLo;
    let mLsHi = sLsHi;
    let mLsLo = sLsLo;
    let limit = limit1;
    // Two phases: the strict mask (harder to match) below the average size, the loose one after it.
    for (let phase = 0; phase < 2; phase++) {
      for (; index < limit; index++) {
        const a = start + index * 2;
        // hash = (hash << 2) + GEAR_LS[src[a]]
        let b = source[a]!;
        let nLo = ((lo << 2) >>> 0) + lsLo[b]!;
        hi = (((hi << 2) | (lo >>> 30)) + lsHi[b]! + (nLo > 0xffff_ffff ? 1 : 0)) >>> 0;
        lo = nLo >>> 0;
        if ((hi & mLsHi) === 0 && (lo & mLsLo) === 0) return { length: a - start, hashHi: hi, hashLo: lo };
        // hash = hash + GEAR[src[a + 1]]
        b = source[a + 1]!;
        nLo = lo + gLo[b]!;
        hi = (hi + gHi[b]! + (nLo > 0xffff_ffff ? 1 : 0)) >>> 0;
        lo = nLo >>> 0;
        if ((hi & mHi) === 0 && (lo & mLo) === 0) return { length: a + 1 - start, hashHi: hi, hashLo: lo };
      }
      mHi = lHi;
      mLo = lLo;
      mLsHi = lLsHi;
      mLsLo = lLsLo;
      limit = limit2;
    }
    return { length: remaining, hashHi: hi, hashLo: lo };
  }
}
