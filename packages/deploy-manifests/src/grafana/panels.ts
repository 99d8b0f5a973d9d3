/**
 * A small vocabulary for Grafana dashboards (JSON model, schemaVersion 39): time series and stat
 * panels over PromQL, laid out two to a row. Every expression here is checked against the
 * services' real /metrics by packages/devstack/src/deploy/metrics-coverage.int.spec.ts.
 */
export interface Query {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  queries: Query[];
  unit?: string;
  kind?: 'timeseries' | 'stat';
  description?: string;
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export const q = (expr: string, legend?: string): Query => ({ expr, ...(legend ? { legend } : {}) });
export const panel = (title: string, unit: string, ...queries: Query[]): PanelSpec => ({ title, unit, queries });
export const stat = (title: string, unit: string, ...queries: Query[]): PanelSpec => ({ title, unit, queries, kind: 'stat' });

/** p50/p99 of a histogram, per `by` labels. */
export const quantiles = (metric: string, selector = '', by: string[] = []): Query[] =>
  [0.5, 0.99].map((p) =>
    q(
      `histogram_quantile(${p}, sum by (${[...by, 'le'].join(', ')}) (rate(${metric}_bucket${selector}[5m])))`,
      `p${p * 100}${by.map((l) => ` {{${l}}}`).join('')}`,
    ),
  );

export const rateBy = (metric: string, by: string[], selector = ''): Query =>
  q(`sum by (${by.join(', ')}) (rate(${metric}${selector}[5m]))`, by.map((l) => `{{${l}}}`).join(' '));

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  panels: PanelSpec[];
}

/** The Grafana JSON model of a dashboard. */
export function dashboardJson(d: DashboardSpec): Record<string, unknown> {
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['fleetplane'],
    timezone: 'utc',
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }],
    },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      type: p.kind ?? 'timeseries',
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      options: p.kind === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'value' } : { legend: { displayMode: 'list', placement: 'bottom' } },
      targets: p.queries.map((query, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: DATASOURCE,
        expr: query.expr,
        ...(query.legend ? { legendFormat: query.legend } : {}),
      })),
    })),
  };
}
