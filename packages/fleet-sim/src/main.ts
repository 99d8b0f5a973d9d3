import { parseArgs } from 'node:util';
import { readCredentialsFile, writeCredentialsFile, type AgentCredential } from './credentials.js';
import { parseDuration } from './duration.js';
import { FleetSimulator } from './fleet-simulator.js';
import { enrollThroughGateway } from './gateway-enrollment.js';
import { parseLocalAddresses } from './local-addresses.js';
import { simulatedInventory } from './simulated-inventory.js';
import { enrollWithEnrollmentToken } from './token-enrollment.js';

const USAGE = `fleetplane-sim --hub ws://127.0.0.1:4100/agent/v1 (--credentials FILE | --enroll-with http://gateway | --enrollment-token) [options]

  --agents N             how many agents (default: every credential in the file)
  --offset K             skip the first K credentials (split one file over several processes)
  --credentials FILE     JSON [{id, token, site?}] or "id token [site]" lines
  --enroll-with URL      mint credentials through the gateway's POST /api/v1/agents; signs in with
                         FLEETPLANE_SIM_EMAIL / FLEETPLANE_SIM_PASSWORD, or sends FLEETPLANE_SIM_BEARER
  --enrollment-token     each agent enrols at the hub's POST /v1/enroll with the enrollment token in
                         FLEETPLANE_SIM_ENROLLMENT_TOKEN (one with --agents uses; not on the command line,
                         where ps shows it)
  --id-prefix P          agent ids when enrolling: P0, P1, ... (default sim-)
  --save-credentials F   write the credentials enrolled (mode 0600), for --credentials next time
  --heartbeat 15s        heartbeat interval (default: the hub's, from HELLO_ACK)
  --telemetry 15s|off    telemetry interval (default: the hub's)
  --connect-rate N       first connects per second (default 1000)
  --command-latency 20ms time from COMMAND to its RESULT
  --output-bytes N       stdout bytes of a successful RESULT (default 64)
  --failure-rate F       fraction of commands answered FAILED (default 0)
  --local-addresses A    source addresses, e.g. 127.0.0.2-127.0.0.9 (ephemeral ports per address pair)
  --duration 60s         run this long, then print the summary (default: until SIGINT/SIGTERM)
  --progress 5s          a progress line on stderr this often (default 5s; 0 = none)
  --json                 summary (and progress lines) as JSON`;

const { values } = parseArgs({
  options: {
    hub: { type: 'string' },
    agents: { type: 'string' },
    offset: { type: 'string', default: '0' },
    credentials: { type: 'string' },
    'enroll-with': { type: 'string' },
    'enrollment-token': { type: 'boolean', default: false },
    'id-prefix': { type: 'string', default: 'sim-' },
    'save-credentials': { type: 'string' },
    heartbeat: { type: 'string' },
    telemetry: { type: 'string' },
    'connect-rate': { type: 'string', default: '1000' },
    'command-latency': { type: 'string', default: '20ms' },
    'output-bytes': { type: 'string', default: '64' },
    'failure-rate': { type: 'string', default: '0' },
    'local-addresses': { type: 'string' },
    duration: { type: 'string' },
    progress: { type: 'string', default: '5s' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help || !values.hub || (!values.credentials && !values['enroll-with'] && !values['enrollment-token'])) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}

async function credentials(): Promise<AgentCredential[]> {
  const offset = Number(values.offset);
  if (values.credentials) {
    const all = readCredentialsFile(values.credentials).slice(offset);
    return values.agents ? all.slice(0, Number(values.agents)) : all;
  }
  const n = Number(values.agents ?? '10');
  const ids = Array.from({ length: n }, (_, i) => `${values['id-prefix']}${offset + i}`);
  const enrolled = values['enrollment-token']
    ? await enrollWithEnrollmentToken(values.hub!, requiredEnv('FLEETPLANE_SIM_ENROLLMENT_TOKEN'), ids)
    : await enrollThroughGateway(
        {
          gatewayUrl: values['enroll-with']!,
          email: process.env.FLEETPLANE_SIM_EMAIL,
          password: process.env.FLEETPLANE_SIM_PASSWORD,
          bearer: process.env.FLEETPLANE_SIM_BEARER,
        },
        ids.map((id, i) => ({ id, site: simulatedInventory(offset + i).site })),
      );
  if (values['save-credentials']) writeCredentialsFile(values['save-credentials'], enrolled);
  return enrolled;
}

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const creds = await credentials();
const sim = new FleetSimulator(creds, {
  hubUrl: values.hub,
  heartbeatMs: values.heartbeat ? parseDuration(values.heartbeat) : 0,
  telemetryMs: values.telemetry === 'off' ? -1 : values.telemetry ? parseDuration(values.telemetry) : 0,
  connectPerSecond: Number(values['connect-rate']),
  localAddresses: values['local-addresses'] ? parseLocalAddresses(values['local-addresses']) : [],
  command: {
    latencyMs: parseDuration(values['command-latency']),
    outputBytes: Number(values['output-bytes']),
    failureRate: Number(values['failure-rate']),
  },
});

const progressMs = parseDuration(values.progress);
const progress =
  progressMs > 0
    ? setInterval(() => {
        const s = sim.summary();
        process.stderr.write(
          values.json
            ? `${JSON.stringify({ progress: true, atMs: Date.now(), ...s })}\n`
            : `connected ${s.connected}/${s.agents}, ever ${s.everConnected}, reconnects ${s.reconnects}, refused ${JSON.stringify(s.refusedByCode)}, commands ${s.commandsAnswered}\n`,
        );
      }, progressMs)
    : undefined;

let finishing = false;
async function finish(): Promise<void> {
  if (finishing) return;
  finishing = true;
  clearInterval(progress);
  const summary = await sim.stop();
  process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
  process.exit(0);
}

function formatSummary(s: ReturnType<FleetSimulator['summary']>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k.padEnd(20)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('\n');
}

process.once('SIGINT', () => void finish());
process.once('SIGTERM', () => void finish());
sim.start();
if (values.duration) setTimeout(() => void finish(), parseDuration(values.duration));
