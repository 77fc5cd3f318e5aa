/**
 * A provisioned eSIM profile and its status, driven by device reports (SPEC §1.5, seed 002
 * "Checking eSIM Profile installation status"): Registered → Installed → Activated ⇄ Deactivated
 * → Deleted. `applyProfileEvent` is the one entry point; the eSIM notification path (SGP.22
 * install / enable / disable / delete notifications) and the SM-DP+ download path call it.
 */
import { fail, ok, type Result } from '../errors.js';

export type ProfileState = 'registered' | 'installed' | 'activated' | 'deactivated' | 'deleted';

/** `profileStatus` strings of the API (OrderedSimProfileResponse). */
export type ProfileStatus =
  | 'SUBSCRIBER_REGISTRATION_SUCCEEDED'
  | 'INSTALLATION_SUCCEEDED'
  | 'INSTALLATION_FAILED'
  | 'ACTIVATION_SUCCEEDED'
  | 'ACTIVATION_FAILED'
  | 'INACTIVATION_SUCCEEDED'
  | 'INACTIVATION_FAILED'
  | 'DELETION_SUCCEEDED'
  | 'DELETION_FAILED';

export interface EsimProfile {
  profileOrderId: string;
  operatorId: string;
  simId: string;
  imsi: string;
  iccid: string;
  subscription: string;
  smdpAddress: string;
  matchingId: string;
  activationCode: string;
  state: ProfileState;
  /** The API string: the last reported result (a failure leaves `state` unchanged). */
  profileStatus: ProfileStatus;
  createdTime: number;
  installedTime: number | null;
  lastModifiedTime: number;
  /** Deleted from its device while its SIM is not terminated: the SIM still bills (seed 002). */
  deletedButNotTerminated: boolean;
}

export type ProfileEventResult = 'succeeded' | 'failed';

/** What a device, the SM-DP+ or the subscriber rules report about a profile. */
export type ProfileEvent =
  /** An LPA asks the SM-DP+ for the profile (ES9+ download); allowed only before installation. */
  | { type: 'download' }
  | { type: 'installation'; result: ProfileEventResult }
  | { type: 'activation'; result: ProfileEventResult }
  | { type: 'inactivation'; result: ProfileEventResult }
  /** `simTerminated`: the profile's SIM is already terminated, so it needs no flag. */
  | { type: 'deletion'; result: ProfileEventResult; simTerminated?: boolean }
  /** The profile's SIM was terminated: clears `deletedButNotTerminated`. */
  | { type: 'sim-terminated' };

export interface ProfileStatusChanged {
  type: 'esim-profile-status-changed';
  imsi: string;
  profileOrderId: string;
  operatorId: string;
  fromStatus: ProfileStatus;
  toStatus: ProfileStatus;
  state: ProfileState;
  at: number;
}

/** The platform flags a SIM whose profile is gone from its device but which still bills. */
export interface ProfileDeletedSimNotTerminated {
  type: 'esim-profile-deleted-sim-not-terminated';
  imsi: string;
  simId: string;
  operatorId: string;
  at: number;
}

export type ProfileEventOutcome = { profile: EsimProfile; events: Array<ProfileStatusChanged | ProfileDeletedSimNotTerminated> };

/**
 * Where each report may come from and where it leads. [choice] A device may fail to report a step
 * (seed 002 note *1), so a report is accepted when only unreported steps lie between: e.g. a
 * deletion straight from `activated`, or an inactivation straight from `installed`.
 */
const TRANSITIONS = {
  installation: { from: ['registered'], to: 'installed', succeeded: 'INSTALLATION_SUCCEEDED', failed: 'INSTALLATION_FAILED' },
  activation: { from: ['installed', 'deactivated'], to: 'activated', succeeded: 'ACTIVATION_SUCCEEDED', failed: 'ACTIVATION_FAILED' },
  inactivation: { from: ['installed', 'activated'], to: 'deactivated', succeeded: 'INACTIVATION_SUCCEEDED', failed: 'INACTIVATION_FAILED' },
  deletion: { from: ['installed', 'activated', 'deactivated'], to: 'deleted', succeeded: 'DELETION_SUCCEEDED', failed: 'DELETION_FAILED' },
} as const satisfies Record<string, { from: readonly ProfileState[]; to: ProfileState; succeeded: ProfileStatus; failed: ProfileStatus }>;

/** Applies one report to a profile; refuses what the profile's history rules out. */
export function applyProfileEvent(profile: EsimProfile, event: ProfileEvent, now: number): Result<ProfileEventOutcome> {
  if (event.type === 'sim-terminated') {
    return ok({ profile: profile.deletedButNotTerminated ? { ...profile, deletedButNotTerminated: false, lastModifiedTime: now } : profile, events: [] });
  }
  if (profile.state === 'deleted') return fail('EPO0012');
  if (event.type === 'download') {
    return profile.state === 'registered' ? ok({ profile, events: [] }) : fail('EPO0010');
  }
  const rule = TRANSITIONS[event.type];
  if (!rule) return fail('EPO0013');
  if (event.type === 'installation' && profile.state !== 'registered') return fail('EPO0010');
  if (!(rule.from as readonly ProfileState[]).includes(profile.state)) {
    return fail('EPO0011', `(${event.type} reported while ${profile.state})`);
  }
  const succeeded = event.result === 'succeeded';
  const toStatus: ProfileStatus = succeeded ? rule.succeeded : rule.failed;
  const next: EsimProfile = {
    ...profile,
    state: succeeded ? rule.to : profile.state,
    profileStatus: toStatus,
    lastModifiedTime: now,
    ...(succeeded && event.type === 'installation' ? { installedTime: now } : {}),
    ...(succeeded && event.type === 'deletion' ? { deletedButNotTerminated: !event.simTerminated } : {}),
  };
  const events: ProfileEventOutcome['events'] = [
    {
      type: 'esim-profile-status-changed',
      imsi: profile.imsi,
      profileOrderId: profile.profileOrderId,
      operatorId: profile.operatorId,
      fromStatus: profile.profileStatus,
      toStatus,
      state: next.state,
      at: now,
    },
  ];
  if (next.deletedButNotTerminated && !profile.deletedButNotTerminated) {
    events.push({ type: 'esim-profile-deleted-sim-not-terminated', imsi: profile.imsi, simId: profile.simId, operatorId: profile.operatorId, at: now });
  }
  return ok({ profile: next, events });
}

/** OrderedSimProfileResponse of listOrderedProfiles. */
export interface OrderedProfileResponse {
  profileOrderId: string;
  iccid: string;
  imsi: string;
  matchingId: string;
  smdpAddress: string;
  activationCode: string;
  profileStatus: ProfileStatus;
  createdTime: number;
  installedTime?: number;
  lastModifiedTime: number;
  subscription: string;
}

export function toOrderedProfileResponse(p: EsimProfile): OrderedProfileResponse {
  return {
    profileOrderId: p.profileOrderId,
    iccid: p.iccid,
    imsi: p.imsi,
    matchingId: p.matchingId,
    smdpAddress: p.smdpAddress,
    activationCode: p.activationCode,
    profileStatus: p.profileStatus,
    createdTime: p.createdTime,
    ...(p.installedTime !== null ? { installedTime: p.installedTime } : {}),
    lastModifiedTime: p.lastModifiedTime,
    subscription: p.subscription,
  };
}
