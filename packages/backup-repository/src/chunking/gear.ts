import { createHash } from 'node:crypto';

/**
 * The FastCDC gear table as fastcdc-rs (v2020) builds it: entry i is the first 8 bytes (big endian) of
 * MD5 over 64 bytes of value i. Computed here rather than pasted, so the table is checkable by reading
 * these lines; `fastcdc.spec.ts` pins a few entries to the published ones.
 *
 * JavaScript has no fast 64-bit integers (BigInt is ~50x slower in the hot loop), so each entry is held
 * as two unsigned 32-bit halves. GEAR_LS is the same table shifted left by one bit, used by the
 * two-bytes-per-iteration loop of the 2020 paper.
 */
export interface GearTables {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly lsHi: Uint32Array;
  readonly lsLo: Uint32Array;
}

function buildGear(): GearTables {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  const lsHi = new Uint32Array(256);
  const lsLo = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const digest = createHash('md5').update(Buffer.alloc(64, i)).digest();
    const h = digest.readUInt32BE(0);
    const l = digest.readUInt32BE(4);
    hi[i] = h;
    lo[i] = l;
    lsHi[i] = ((h << 1) | (l >>> 31)) >>> 0;
    lsLo[i] = (l << 1) >>> 0;
  }
  return { hi, lo, lsHi, lsLo };
}

export const GEAR: GearTables = buildGear();

/**
 * Masks per log2 of the average chunk size (index 6 = 64 B … 24 = 16 MiB), from the FastCDC reference
 * implementation and restic (via fastcdc-rs): the bits are spread out, which the paper found dedups
 * slightly better. As [hi, lo] 32-bit halves of the 64-bit masks.
 */
const MASKS_64: readonly bigint[] = [
  0n,
  0n,
  0n,
  0n,
  0n,
  0x0000000001804110n,
  0x0000000001803110n,
  0x0000000018035100n,
  0x0000001800035300n,
  0x0000019000353000n,
  0x0000590003530000n,
  0x0000d90003530000n,
  0x0000d90103530000n,
  0x0000d90303530000n,
  0x0000d90313530000n,
  0x0000d90f03530000n,
  0x0000d90303537000n,
  0x0000d90703537000n,
  0x0000d90707537000n,
  0x0000d91707537000n,
  0x0000d91747537000n,
  0x0000d91767537000n,
  0x0000d93767537000n,
  0x0000d93777537000n,
  0x0000d93777577000n,
  0x0000db3777577000n,
];

export interface Mask64 {
  readonly hi: number;
  readonly lo: number;
}

export function maskFor(bits: number, shiftLeft: 0 | 1): Mask64 {
  const value = MASKS_64[bits];
  if (value === undefined) throw new RangeError(`no FastCDC mask for ${bits} bits`);
  const shifted = (value << BigInt(shiftLeft)) & 0xffff_ffff_ffff_ffffn;
  return { hi: Number(shifted >> 32n), lo: Number(shifted & 0xffff_ffffn) };
}
