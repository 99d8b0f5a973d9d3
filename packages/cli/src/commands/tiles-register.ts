import { Option, type Command as Program } from 'commander';
import type { Context } from '../context.js';
import { parseLimit, parseTimeout } from '../options.js';
import { outputOptions } from '../program/shared-options.js';
import {
  collectSource,
  explainTiles,
  getTileJob,
  runTiles,
  showTileStats,
  type TilesExplainOptions,
  type TilesGetOptions,
  type TilesRunOptions,
} from './tiles.js';

/** `fleetplane tiles …`: tile programs run on tile-worker through the gateway. */
export function registerTiles(program: Program, ctx: Context, setExit: (code: number) => void): void {
  const tiles = program.command('tiles').description('run tile programs (data computations) on tile-worker');
  outputOptions(tiles.command('run').description('submit a tile program with data for its sources, wait, and print its results').argument('<program.json>'))
    .option(
      '--source <tile=file.json|tile=telemetry:metric,…>',
      'data for a source tile: a JSON array of rows, an object of number columns, or telemetry:<metric>[,…][,site=<s>][,agent=<id>][,label.<k>=<v>][,all] (repeatable)',
      collectSource,
    )
    .option('--from <time>', 'start of telemetry sources: RFC 3339 or relative (-1h, -30m, -7d); default: an hour before --to')
    .option('--to <time>', 'end of telemetry sources (default: now)')
    .option('--resolution <r>', 'telemetry points: auto (default), raw, 1m or 1h')
    .option('--timeout <seconds>', 'the job timeout (default: the service default)', parseTimeout)
    .option('--limit <n>', 'result rows to print (default: the service page size)', parseLimit)
    .addOption(new Option('--no-wait', 'print the job id and return at once'))
    .action(async (path: string, opts: TilesRunOptions) => setExit(await runTiles(ctx, path, opts)));
  outputOptions(tiles.command('explain').description("print the compiler's plan for a program without running it").argument('<program.json>'))
    .option('--rows <tile=count>', 'expected rows of a source tile, for the estimates (repeatable)', collectSource)
    .action((path: string, opts: TilesExplainOptions) => explainTiles(ctx, path, opts));
  outputOptions(tiles.command('get').description('show a tile job: state, stats and a page of results').argument('<id>', 'tile job id'))
    .option('--limit <n>', 'result rows in this page', parseLimit)
    .option('--cursor <cursor>', 'continue where the previous page ended')
    .action((id: string, opts: TilesGetOptions) => getTileJob(ctx, id, opts));
  outputOptions(tiles.command('stats').description("tile-worker's pool, caches and queue")).action(() => showTileStats(ctx));
}
