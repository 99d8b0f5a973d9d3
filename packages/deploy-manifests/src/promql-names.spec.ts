import { describe, expect, it } from 'vitest';
import { exportedMetrics, isServed, metricNamesIn } from './promql-names.js';

describe(metricNamesIn.name, () => {
  it('finds the metrics of a quantile over a histogram, not the functions, labels, ranges or grouping', () => {
    expect(
      metricNamesIn('histogram_quantile(0.99, sum by (service, le) (rate(http_server_request_duration_seconds_bucket{http_route!~"/health|x_total"}[5m])))'),
    ).toEqual({ names: ['http_server_request_duration_seconds_bucket'], nameRegexes: [] });
  });

  it('finds both sides of a ratio and a comparison, recording-rule names with colons, and no keywords or numbers', () => {
    expect(metricNamesIn('fleetplane:http_errors:rate5m / fleetplane:http_requests:rate5m > 0.05 and up{job="x"} == 0').names).toEqual([
      'fleetplane:http_errors:rate5m',
      'fleetplane:http_requests:rate5m',
      'up',
    ]);
    expect(metricNamesIn('time() - max by (source) (fleetplane_backup_last_success_timestamp_seconds) > 26 * 3600').names).toEqual([
      'fleetplane_backup_last_success_timestamp_seconds',
    ]);
  });

  it('returns __name__ regexes for the caller to match', () => {
    expect(metricNamesIn('sum(rate({__name__=~"fleetplane_.+_count", code!="OK"}[5m]))')).toEqual({ names: [], nameRegexes: ['fleetplane_.+_count'] });
  });
});

describe(isServed.name, () => {
  const exported = exportedMetrics('# HELP a_seconds x\n# TYPE a_seconds histogram\n# HELP b_total y\n# TYPE b_total counter\nb_total 3\n');

  it('maps histogram series to their metric and knows counters by their full name', () => {
    expect(['a_seconds_bucket', 'a_seconds_count', 'a_seconds_sum', 'b_total'].every((n) => isServed(n, exported))).toBe(true);
    expect(isServed('b_total_count', exported)).toBe(false);
    expect(isServed('c_seconds_bucket', exported)).toBe(false);
    expect(isServed('b', exported)).toBe(false);
  });
});
