/** Words of PromQL that look like metric names but are not. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

export interface QueriedNames {
  /** Metric names the expression selects, as written (histogram suffixes included). */
  names: string[];
  /** `__name__=~"…"` matchers: each must match some metric. */
  nameRegexes: string[];
}

/**
 * The metric names a PromQL expression reads: identifiers outside strings, label matchers,
 * ranges and grouping clauses that are not function calls or keywords. A lexer, not a parser —
 * enough for the expressions of our dashboards and rules, and tested on their shapes.
 */
export function metricNamesIn(expr: string): QueriedNames {
  const nameRegexes = [...expr.matchAll(/__name__\s*=~\s*"([^"]*)"/g)].map((m) => m[1]!);
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(\s*\()?/g)]
    .filter((m) => !m[2] && !KEYWORDS.has(m[1]!.toLowerCase()))
    .map((m) => m[1]!);
  return { names: [...new Set(names)], nameRegexes };
}

/** Whether a queried name is served: exported as is, or a histogram's (or summary's) _bucket/_sum/_count series. */
export function isServed(name: string, exported: Map<string, string>): boolean {
  if (exported.has(name)) return true;
  const series = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!series) return false;
  const type = exported.get(series[1]!);
  return type === 'histogram' || (type === 'summary' && series[2] !== 'bucket');
}

/** `# TYPE name type` of a Prometheus text exposition: every registered metric, sampled yet or not. */
export const exportedMetrics = (exposition: string): Map<string, string> =>
  new Map([...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
