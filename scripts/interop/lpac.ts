/**
 * Interop check with the public LPA lpac (github.com/estkme-group/lpac): RUNS a given lpac binary
 * (this script never builds it) against cellgate — the platform's SM-DP+ over ES9+ HTTPS and a
 * simulated modem on a pty holding a simulated eUICC that trusts the platform's CI — and checks
 * what the operator sees. lpac's AT backend (`LPAC_APDU=at`, AT+CCHO / AT+CGLA / AT+CCHC) or its
 * CSIM one (`--backend at_csim`).
 *
 * Run: `npm run build && node dist/scripts/interop/lpac.js --lpac /path/to/lpac [--backend at|at_csim]`
 * (or LPAC_BIN=/path/to/lpac). Exit 0 when every step did what SGP.22 says; the transcript of
 * lpac's JSON lines is printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiClient } from '../../cli/stack-provision.js';
import { startPlatform } from '../../platform/index.js';
import { Euicc, LocalNetworkGate, startSimulatedModem } from '../../simulator/index.js';

const { values } = parseArgs({ options: { lpac: { type: 'string' }, backend: { type: 'string', default: 'at' }, dialect: { type: 'string', default: 'generic' } } });
const lpac = values.lpac ?? process.env.LPAC_BIN;
if (!lpac) {
  console.error('usage: node dist/scripts/interop/lpac.js --lpac /path/to/lpac [--backend at|at_csim] [--dialect generic|bg96|sim7080]');
  process.exit(2);
}
const backend = values.backend === 'at_csim' ? 'at_csim' : 'at';
const EID = '89049032000000000000000000004242';

interface LpacLine {
  type: string;
  payload: { code?: number; message?: string; data?: unknown };
}

const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-lpac-'));
const platform = await startPlatform({ dataDir, config: { esimProvisioningStartDelayMs: 1, esimProvisioningPerProfileMs: 1 }, http: { port: 0 }, mqtt: false });
const pki = platform.smdp!.service.pki;
// The card's root SM-DS is the platform's SM-DS (ES11), as `cellgate up` configures it.
const euicc = new Euicc({ eid: EID, pki: { eum: pki.eum, trustedCis: [pki.ci.certificate] }, rootDsAddress: platform.smds!.address });
// generic: CMEE 0 by default — lpac's AT reader ends a command only on OK / ERROR, never on +CME ERROR.
const sim = await startSimulatedModem({ dialect: values.dialect as 'generic', sim: euicc, gate: new LocalNetworkGate(), latency: 'zero', expose: { pty: true } });
const failures: string[] = [];
const check = (ok: boolean, what: string): void => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

/** Runs lpac (asynchronously: the simulated modem answers it from this very process). */
async function run(...args: string[]): Promise<LpacLine | undefined> {
  const child = spawn(lpac!, args, { env: { ...process.env, LPAC_APDU: backend, LPAC_APDU_AT_DEVICE: sim.ptyPath!, LPAC_HTTP: 'curl' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(timer);
  const lines = stdout.split('\n').filter((l) => l.trim().startsWith('{'));
  console.log(`$ lpac ${args.join(' ')}`);
  for (const l of lines) console.log(`  ${l.length > 300 ? `${l.slice(0, 300)}…` : l}`);
  if (status !== 0) console.log(`  exit ${status}; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const last = lines.at(-1);
  return last ? (JSON.parse(last) as LpacLine) : undefined;
}

try {
  const api = new ApiClient(platform.url);
  api.use(await api.call('POST', '/v1/sandbox/init', { email: `lpac-${process.pid}@cellgate.local`, password: 'Cg-lpac-interop-1' }));
  const { profileOrderId } = await api.call<{ profileOrderId: string }>('POST', '/v1/sim_profile_orders', { subscription: 'plan01s', quantity: 2 });
  await api.call('POST', `/v1/sim_profile_orders/${profileOrderId}/confirm`);
  let profiles: Array<{ iccid: string; imsi: string; activationCode: string; profileStatus: string }> = [];
  for (let i = 0; i < 100 && profiles.length < 2; i++) {
    profiles = await api.call('GET', `/v1/sim_profile_orders/${profileOrderId}/profiles`);
    if (profiles.length < 2) await new Promise((r) => setTimeout(r, 50));
  }
  const [p, q] = profiles as [(typeof profiles)[0], (typeof profiles)[0]];
  const statusOf = async (iccid: string): Promise<string> => (await api.call<typeof profiles>('GET', `/v1/sim_profile_orders/${profileOrderId}/profiles`)).find((x) => x.iccid === iccid)!.profileStatus;
  const status = (): Promise<string> => statusOf(p.iccid);
  console.log(`platform ${platform.url}, SM-DP+ ${platform.smdp!.address}, SM-DS ${platform.smds!.address}, modem ${values.dialect} on ${sim.ptyPath}, lpac backend ${backend}`);
  console.log(`activation code ${p.activationCode}`);

  const info = await run('chip', 'info');
  check(info?.payload.code === 0 && JSON.stringify(info.payload.data).includes(EID), 'chip info reads the EID');
  const dl = await run('profile', 'download', '-a', p.activationCode);
  check(dl?.payload.code === 0, 'profile download -a <activation code>');
  check(euicc.profiles().some((x) => x.iccid === p.iccid && x.imsi === p.imsi), 'the card holds the profile with the ordered ICCID and IMSI');
  const list = await run('profile', 'list');
  check(list?.payload.code === 0 && JSON.stringify(list.payload.data).includes(p.iccid), 'profile list shows it');
  await run('notification', 'process', '-a', '-r');
  check((await status()) === 'INSTALLATION_SUCCEEDED', 'the platform shows it Installed (notification via ES9+ HandleNotification)');
  const enabled = await run('profile', 'enable', p.iccid);
  check(enabled?.payload.code === 0, 'profile enable');
  await run('notification', 'process', '-a', '-r');
  check((await status()) === 'ACTIVATION_SUCCEEDED', 'the platform shows it Activated');
  const disabled = await run('profile', 'disable', p.iccid);
  check(disabled?.payload.code === 0, 'profile disable');
  const deleted = await run('profile', 'delete', p.iccid);
  check(deleted?.payload.code === 0, 'profile delete');
  await run('notification', 'process', '-a', '-r');
  check((await status()) === 'DELETION_SUCCEEDED', 'the platform shows it Deleted');
  check(euicc.profiles().length === 0 && euicc.notifications().length === 0, 'the card is empty, every notification removed');
  const again = await run('profile', 'download', '-a', p.activationCode);
  check(again?.payload.code !== 0 && euicc.profiles().length === 0, 'a second download with the same activation code is refused');

  // SM-DS discovery (SGP.22 §3.6.2): lpac's `profile discovery` runs ES11 against the platform's SM-DS.
  check(JSON.stringify(info?.payload.data).includes(platform.smds!.address), 'chip info shows the platform SM-DS as rootDsAddress');
  const none = await run('profile', 'discovery', '-s', platform.smds!.address);
  check(none?.payload.code === 0 && JSON.stringify(none.payload.data) === '[]', 'profile discovery: no event before the profile is bound to the EID');
  const { eventId } = await api.call<{ eventId: string }>('PUT', `/_cellgate/esim/profiles/${q.iccid}/eid`, { eid: EID });
  const found = await run('profile', 'discovery', '-s', platform.smds!.address);
  check(found?.payload.code === 0 && JSON.stringify(found.payload.data) === JSON.stringify([platform.smdp!.address]), 'profile discovery: the event names the platform SM-DP+ once the profile is bound');
  // lpac lists only the SM-DP+ addresses, not the event IDs: the event ID comes from the operator's binding.
  const byEvent = await run('profile', 'download', '-s', platform.smdp!.address, '-m', eventId);
  check(byEvent?.payload.code === 0 && euicc.profiles().some((x) => x.iccid === q.iccid), 'profile download with the event ID as matching ID');
  await run('notification', 'process', '-a', '-r');
  check((await statusOf(q.iccid)) === 'INSTALLATION_SUCCEEDED', 'the platform shows the discovered profile Installed');
  const after = await run('profile', 'discovery', '-s', platform.smds!.address);
  check(after?.payload.code === 0 && JSON.stringify(after.payload.data) === '[]', 'profile discovery: the event is gone once installed');
} finally {
  await sim.close();
  await platform.close();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(failures.length === 0 ? 'lpac interop: all steps ok' : `lpac interop: ${failures.length} step(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
