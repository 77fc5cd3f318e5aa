/**
 * The reference's `Sim` view of a subscriber (the SIM-ID API, `/v1/sims`): one SIM with its
 * profiles keyed by ICCID, each with its primary IMSI and its subscribers keyed by IMSI. In
 * cellgate a SIM has exactly one profile and one subscription, so the Sim and the Subscriber view
 * are two shapes of the same record and always agree (status, speed class, tags, session…). Pure.
 */
import type { StatusChange } from './events.js';
import { publicModuleType } from './module-type.js';
import { optionalSubscriberFields, type Subscriber } from './subscriber.js';


/** [choice] Every cellgate SIM carries data and SMS. */
const CAPABILITIES = { data: true, sms: true } as const;

export function toSimJson(s: Subscriber): Record<string, unknown> {
  const json: Record<string, unknown> = {
    simId: s.simId,
    operatorId: s.operatorId,
    status: s.status,
    speedClass: s.speedClass,
    // Sim `type` is the form (euicc | uicc | virtual), not the speed class as in Subscriber.
    type: s.moduleType === 'esim' ? 'euicc' : 'uicc',
    moduleType: publicModuleType(s.moduleType),
    serialNumber: s.serialNumber,
    tags: { ...s.tags },
    terminationEnabled: s.terminationEnabled,
    activeProfileId: s.iccid,
    capabilities: { ...CAPABILITIES },
    profiles: {
      [s.iccid]: {
        iccid: s.iccid,
        otaSupported: false,
        primaryImsi: s.imsi,
        subscribers: {
          [s.imsi]: { imsi: s.imsi, msisdn: s.msisdn, status: s.status, subscription: s.subscription, bundles: [], capabilities: { ...CAPABILITIES } },
        },
      },
    },
    sessionStatus: s.sessionStatus ?? { online: false, imsi: s.imsi, lastUpdatedAt: s.lastModifiedTime, subscription: s.subscription },
    createdTime: s.createdTime,
    lastModifiedTime: s.lastModifiedTime,
    ...optionalSubscriberFields(s),
  };
  return json;
}

/** One entry of `listSimStatusHistory` (reference `SimStatusHistoryResponse`). */
export function toSimStatusHistoryJson(simId: string, c: StatusChange): Record<string, unknown> {
  return {
    simId,
    imsi: c.imsi,
    primaryImsi: c.imsi,
    isPrimary: true,
    status: c.toStatus,
    subscription: c.subscription,
    ...(c.speedClass !== undefined ? { speedClass: c.speedClass } : {}),
    ...(c.groupId ? { groupId: c.groupId } : {}),
    bundles: [],
    applyDateTimeEpochSec: Math.floor(c.at / 1000),
  };
}
