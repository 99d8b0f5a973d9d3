import { describe, expect, it } from 'vitest';
import { configSchemaOf, envProblems, imageEnv } from './config-schemas.js';
import { podEnv } from './resolve-config.js';
import { SERVICE_SPECS } from './services.js';

// The check every deployment file's environment goes through (compose's and each pod's):
// it must name the variable for each kind of mistake, or a green check would mean nothing.
describe(envProblems.name, () => {
  it('passes the gateway pod environment and reports an unknown, a missing required and an invalid variable by name', async () => {
    const schema = await configSchemaOf('gateway');
    const env = podEnv(SERVICE_SPECS.gateway);
    expect(envProblems(schema, env)).toEqual([]);
    const { JWT_SECRET: _dropped, ...withoutSecret } = env;
    const problems = envProblems(schema, { ...withoutSecret, GATEWAY_PORT: '4000', HTTP_PORT: 'eighty' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'GATEWAY_PORT: not a variable this service reads',
        expect.stringMatching(/^JWT_SECRET: /),
        expect.stringMatching(/^HTTP_PORT: /),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('reads the runtime image ENV from the Dockerfile, with the service filled in', () => {
    expect(imageEnv('telemetry')).toEqual({ NODE_ENV: 'production', HTTP_HOST: '0.0.0.0', OTEL_SERVICE_NAME: 'telemetry' });
  });
});
