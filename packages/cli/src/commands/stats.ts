import type { Context } from '../context.js';
import { formatStatistics } from '../output/format-statistics.js';

export async function showStatistics(ctx: Context): Promise<void> {
  const stats = await (await ctx.client()).getStatistics();
  await ctx.print(stats, (width) => formatStatistics(stats, width));
}
