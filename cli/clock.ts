/**
 * `cellgate clock`: reads and moves the virtual clock of a running platform over HTTP
 * (`GET` / `POST /_cellgate/clock`, docs/time-control.md).
 */
import { parseCommandLine } from '../common/command-line.js';
import { parseDuration } from '../simulator/fleet/duration.js';

const usage = `usage: cellgate clock now|advance <duration>|to <time> [options]

Reads or moves the virtual clock of a platform started with --clock virtual. Moving it runs
every job that falls due on the way (month closes, payment retries, expiries, transfers) and
prints what ran.

  now                  the platform's time and the next jobs waiting
  advance <duration>   30d, 12h, 1d12h, 90m, milliseconds, or ISO 8601 (P1M, P30D, PT12H)
  to <time>            an ISO 8601 date-time with a zone, e.g. 2026-03-01T00:00:00+09:00

  --platform URL       the platform's API (env CELLGATE_PLATFORM_URL, default http://127.0.0.1:8080)
  --network-token T    the platform's network token, printed by \`cellgate platform\`
                       (env CELLGATE_NETWORK_TOKEN): sees every job
  --api-key K --token T  a root user's credentials instead (env CELLGATE_API_KEY,
                       CELLGATE_TOKEN): sees its own operator's jobs
  --json               print the API's JSON answer`;

interface JobView {
  job: string;
  dueIso: string;
  ranAt?: number;
  outcome?: string;
  summary?: string;
  jobKey?: string;
}

interface ClockAnswer {
  virtual: boolean;
  iso: string;
  fromIso?: string;
  nextJobs: JobView[];
  ran?: JobView[];
  ranCount?: number;
  truncated?: boolean;
}

/** `30d` → ms; ISO durations and plain milliseconds go to the platform as they are. */
function advanceValue(text: string): string | number | undefined {
  if (/^p/i.test(text)) return text.toUpperCase();
  if (/^\d+$/.test(text)) return Number(text);
  return parseDuration(text);
}

function printAnswer(a: ClockAnswer): void {
  const kind = a.virtual ? 'virtual time' : 'real time';
  console.log(a.fromIso ? `${kind} ${a.iso} (was ${a.fromIso})` : `${kind} ${a.iso}`);
  if (a.ran) {
    console.log(`ran ${a.ranCount ?? a.ran.length} job${a.ranCount === 1 ? '' : 's'}${a.truncated ? ` (first ${a.ran.length} listed)` : ''}${a.ran.length ? ':' : ''}`);
    for (const r of a.ran) console.log(`  ${new Date(r.ranAt!).toISOString()}  ${r.job.padEnd(22)} ${r.outcome === 'failed' ? 'FAILED ' : ''}${r.summary ?? ''}`.trimEnd());
  }
  if (a.nextJobs.length) {
    console.log('next:');
    for (const j of a.nextJobs.slice(0, 10)) console.log(`  ${j.dueIso}  ${j.job}${j.jobKey ? `  ${j.jobKey}` : ''}`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('cellgate clock', usage, {
    args: argv,
    allowPositionals: true,
    options: {
      platform: { type: 'string' },
      'network-token': { type: 'string' },
      'api-key': { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  const [action, arg, ...extra] = positionals;
  let body: Record<string, unknown> | undefined;
  if (action === 'advance' && arg !== undefined && extra.length === 0) {
    const advance = advanceValue(arg);
    if (advance === undefined) {
      console.error(`cellgate clock: '${arg}' is not a duration (30d, 12h, P1M, milliseconds)\n\n${usage}`);
      return 2;
    }
    body = { advance };
  } else if (action === 'to' && arg !== undefined && extra.length === 0) {
    body = { to: /^\d+$/.test(arg) ? Number(arg) : arg };
  } else if (!((action === 'now' || action === undefined) && arg === undefined)) {
    console.error(`cellgate clock: expected now, advance <duration> or to <time>\n\n${usage}`);
    return 2;
  }
  const base = (values.platform ?? process.env.CELLGATE_PLATFORM_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const networkToken = values['network-token'] ?? process.env.CELLGATE_NETWORK_TOKEN;
  const apiKey = values['api-key'] ?? process.env.CELLGATE_API_KEY;
  const token = values.token ?? process.env.CELLGATE_TOKEN;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (networkToken) headers.authorization = `Bearer ${networkToken}`;
  else if (apiKey && token) Object.assign(headers, { 'x-soracom-api-key': apiKey, 'x-soracom-token': token });
  else {
    console.error(`cellgate clock: give --network-token (or CELLGATE_NETWORK_TOKEN), or --api-key and --token of a root user\n\n${usage}`);
    return 2;
  }
  if (body) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${base}/_cellgate/clock`, { method: body ? 'POST' : 'GET', headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  } catch (error) {
    console.error(`cellgate clock: cannot reach ${base}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
    return 1;
  }
  const text = await response.text();
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    console.error(`cellgate clock: ${base} answered ${response.status} with no JSON`);
    return 1;
  }
  if (!response.ok) {
    const e = answer as { code?: string; message?: string };
    console.error(`cellgate clock: ${response.status} ${e.code ?? ''} ${e.message ?? ''}`.trimEnd());
    return 1;
  }
  if (values.json) console.log(JSON.stringify(answer, null, 2));
  else printAnswer(answer as ClockAnswer);
  return 0;
}
