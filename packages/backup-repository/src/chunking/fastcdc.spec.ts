import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FastCdc, type ChunkerParams } from './fastcdc.js';
import { GEAR } from './gear.js';

// Test vectors published by fastcdc-rs (src/v2020/mod.rs, MIT licence) for its fixture
// SekienAkashita.jpg (109466 bytes, sha256 d9e749d9…c39ed, copied into test-fixtures/).
const sekien = readFileSync(new URL('../../test-fixtures/SekienAkashita.jpg', import.meta.url));

function cuts(source: Uint8Array, params: ChunkerParams): Array<[bigint, number]> {
  const chunker = new FastCdc(params);
  const out: Array<[bigint, number]> = [];
  let cursor = 0;
  while (cursor < source.length) {
    const cut = chunker.cut(source, cursor, source.length);
    out.push([(BigInt(cut.hashHi) << 32n) | BigInt(cut.hashLo), cut.length]);
    cursor += cut.length;
  }
  return out;
}

describe('FastCDC against the fastcdc-rs v2020 vectors', () => {
  it('has the published fixture', () => {
    expect(sekien.length).toBe(109466);
    expect(createHash('sha256').update(sekien).digest('hex')).toBe('d9e749d9367fc908876749d6502eb212fee88c9a94892fb07da5ef3ba8bc39ed');
  });

  it('builds the same gear table (first, second and last entries)', () => {
    expect(((BigInt(GEAR.hi[0]!) << 32n) | BigInt(GEAR.lo[0]!)).toString(16)).toBe('3b5d3c7d207e37dc');
    expect(((BigInt(GEAR.hi[1]!) << 32n) | BigInt(GEAR.lo[1]!)).toString(16)).toBe('784d68ba91123086');
    expect(((BigInt(GEAR.lsHi[0]!) << 32n) | BigInt(GEAR.lsLo[0]!)).toString(16)).toBe(((0x3b5d3c7d207e37dcn << 1n) & 0xffffffffffffffffn).toString(16));
  });

  it('16k chunks (4096/16384/65535)', () => {
    expect(cuts(sekien, { minSize: 4096, avgSize: 16384, maxSize: 65535 })).toEqual([
      [17968276318003433923n, 21325],
      [8197189939299398838n, 17140],
      [13019990849178155730n, 28084],
      [4509236223063678303n, 18217],
      [2504464741100432583n, 24700],
    ]);
  });

  it('32k chunks (8192/32768/131072)', () => {
    expect(cuts(sekien, { minSize: 8192, avgSize: 32768, maxSize: 131072 })).toEqual([
      [15733367461443853673n, 66549],
      [6321136627705800457n, 42917],
    ]);
  });

  it('64k chunks (16384/65536/262144)', () => {
    expect(cuts(sekien, { minSize: 16384, avgSize: 65536, maxSize: 262144 })).toEqual([[2504464741100432583n, 109466]]);
  });

  it('normalization level 0', () => {
    expect(cuts(sekien, { minSize: 4096, avgSize: 16384, maxSize: 65535, normalization: 0 })).toEqual([
      [443122261039895162n, 6634],
      [15733367461443853673n, 59915],
      [10460176299449652894n, 25597],
      [6197802202431009942n, 5237],
      [6321136627705800457n, 12083],
    ]);
  });

  it('normalization level 3', () => {
    expect(cuts(sekien, { minSize: 8192, avgSize: 16384, maxSize: 32768, normalization: 3 })).toEqual([
      [10718006254707412376n, 17350],
      [13104072099671895560n, 19911],
      [12322483109039221194n, 17426],
      [16009206469796846404n, 17519],
      [2473608525189754172n, 19940],
      [2504464741100432583n, 17320],
    ]);
  });

  it('all zeros: maximum-size chunks with the published hash', () => {
    const zeros = new Uint8Array(10240);
    const result = cuts(zeros, { minSize: 64, avgSize: 256, maxSize: 1024 });
    expect(result).toHaveLength(10);
    for (const [hash, length] of result) {
      expect(hash).toBe(14169102344523991076n);
      expect(length).toBe(1024);
    }
  });

  it('refuses sizes outside the mask table, naming the field', () => {
    expect(() => new FastCdc({ minSize: 63, avgSize: 256, maxSize: 1024 })).toThrow(/minSize/);
    expect(() => new FastCdc({ minSize: 64, avgSize: 8_000_000, maxSize: 16_000_000 })).toThrow(/avgSize/);
    expect(() => new FastCdc({ minSize: 4096, avgSize: 2048, maxSize: 65536 })).toThrow(/minSize <= avgSize/);
  });
});
