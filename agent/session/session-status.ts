/**
 * What the agent knows about its modem and session: the facts the steps and URC handlers learn,
 * and the snapshot `status()` hands to the health endpoint and the MQTT link.
 */
import type { RatPreference } from '../modem/dialects.js';
import type { Registration, SignalQuality } from '../modem/parsers.js';
import type { Counters } from './counters.js';
import type { Failure, LossReason, Phase, Plan, SessionState } from './machine.js';

/**
 * Why the AT port cannot be used, as `agent/at/port-diagnosis.ts` tells it: the device is
 * missing, the agent may not open it, or another process holds it — with what to do.
 */
export interface PortProblem {
  readonly kind: 'missing' | 'permission-denied' | 'busy' | 'not-a-tty' | 'unknown';
  readonly message: string;
  readonly hint: string;
}

/** What the agent knows about its modem and session, for `status()` and the MQTT link. */
export interface SessionStatus {
  readonly state: Phase;
  readonly online: boolean;
  readonly registration?: { stat: number; domain?: string; tac?: number; cellId?: number; act?: number; rejectCause?: number };
  readonly rat?: 'lte' | 'lte-m' | 'nb-iot';
  readonly operator?: string;
  readonly ip?: string;
  readonly signal?: SignalQuality;
  readonly imei?: string;
  readonly imsi?: string;
  readonly iccid?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly revision?: string;
  readonly dialect?: string;
  readonly attempt: number;
  readonly plan?: Plan;
  readonly lastFailure?: Failure;
  readonly lastLoss?: LossReason;
  /** Set while the AT port cannot be opened (or is shared with another process); cleared once it opens cleanly. */
  readonly port?: PortProblem;
  /** Clock time of the next attempt while backing off. */
  readonly nextAttemptAt?: number;
  readonly counters: Readonly<Record<string, number>>;
}

export interface StateChange {
  readonly from: Phase;
  readonly to: Phase;
  readonly at: number;
  readonly status: SessionStatus;
}

/** The learnt part of the status, written as the steps and URCs find things out. */
export type SessionFacts = { -readonly [K in keyof SessionStatus]?: SessionStatus[K] };

/** The status: the facts, overlaid with the machine's state and the counters. */
export function statusSnapshot(facts: SessionFacts, state: SessionState, counters: Counters): SessionStatus {
  return {
    ...facts,
    state: state.phase,
    online: state.phase === 'online',
    attempt: state.attempt,
    ...(state.plan ? { plan: state.plan } : {}),
    counters: counters.snapshot(),
  };
}

/** Records the deciding registration (`+CEREG`, or `+CGREG` on 2G/3G); the AcT also tells the RAT in use (docs/agent.md [choice]). */
export function noteRegistration(facts: SessionFacts, registration: Registration, preference: RatPreference): void {
  const { stat, domain, tac, cellId, act, rejectCause } = registration;
  facts.registration = {
    stat,
    ...(domain !== undefined ? { domain } : {}),
    ...(tac !== undefined ? { tac } : {}),
    ...(cellId !== undefined ? { cellId } : {}),
    ...(act !== undefined ? { act } : {}),
    ...(rejectCause !== undefined ? { rejectCause } : {}),
  };
  // E-UTRAN AcTs only: on UTRAN/GERAN (a 2G/3G fallback) the LTE flavour says nothing.
  if (act === 7 || act === 8 || act === 9) facts.rat = act === 9 ? 'nb-iot' : act === 8 || preference === 'lte-m' ? 'lte-m' : 'lte';
  else if (act !== undefined) delete facts.rat;
}
