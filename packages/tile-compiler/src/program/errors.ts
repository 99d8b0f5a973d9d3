/**
 * Every rejection names the tile (and the field or expression slot when there
 * is one) so an operator can fix the program without reading compiler code.
 */
export class TileProgramError extends Error {
  constructor(
    readonly tileId: string | undefined,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${tileId === undefined ? 'program' : `tile "${tileId}"`}${field === undefined ? '' : `, field "${field}"`}: ${detail}`);
    this.name = 'TileProgramError';
  }
}

/** Where an expression sits, so its errors can name the tile and slot. */
export interface ExpressionSite {
  readonly tileId: string;
  readonly field: string;
}
