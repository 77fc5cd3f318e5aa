/**
 * Mobile termination error codes (3GPP TS 27.007 §9.2) the simulated modem reports, and the
 * EMM / ESM cause texts (3GPP TS 24.301 §9.9.3.9, §9.9.4.4) it prints in `AT+CEER`.
 */

export const CME = {
  phoneFailure: 0,
  notAllowed: 3,
  notSupported: 4,
  simNotInserted: 10,
  simFailure: 13,
  simBusy: 14,
  memoryFull: 20,
  invalidIndex: 21,
  noNetworkService: 30,
  networkTimeout: 31,
  incorrectParameters: 50,
  unknown: 100,
  illegalMs: 103,
  illegalMe: 106,
  gprsNotAllowed: 107,
  plmnNotAllowed: 111,
  locationAreaNotAllowed: 112,
  roamingNotAllowed: 113,
  noSuitableCells: 115,
  congestion: 122,
  insufficientResources: 126,
  missingApn: 127,
  unknownPdpType: 128,
  userAuthFailed: 129,
  rejectedByGateway: 130,
  rejectedUnspecified: 131,
  serviceOptionNotSupported: 132,
  serviceOptionNotSubscribed: 133,
  serviceOptionOutOfOrder: 134,
  unspecifiedGprsError: 148,
  pdpAuthFailure: 149,
} as const;

const CME_TEXT: Readonly<Record<number, string>> = {
  0: 'phone failure',
  3: 'operation not allowed',
  4: 'operation not supported',
  10: 'SIM not inserted',
  13: 'SIM failure',
  14: 'SIM busy',
  20: 'memory full',
  21: 'invalid index',
  30: 'no network service',
  31: 'network timeout',
  50: 'incorrect parameters',
  100: 'unknown',
  103: 'Illegal MS',
  106: 'Illegal ME',
  107: 'GPRS services not allowed',
  111: 'PLMN not allowed',
  112: 'Location area not allowed',
  113: 'Roaming not allowed in this location area',
  115: 'No suitable cells in location area',
  122: 'Congestion',
  126: 'insufficient resources',
  127: 'missing or unknown APN',
  128: 'unknown PDP address or PDP type',
  129: 'user authentication failed',
  130: 'activation rejected by GGSN, Serving GW or PDN GW',
  131: 'activation rejected, unspecified',
  132: 'service option not supported',
  133: 'requested service option not subscribed',
  134: 'service option temporarily out of order',
  148: 'unspecified GPRS error',
  149: 'PDP authentication failure',
  // Telit: +CME ERROR: activation failed (pastebin.com/UYDQzQ5u); nRF91: not allowed in active state.
  518: 'not allowed in active state',
  555: 'activation failed',
};

export function cmeText(code: number): string {
  return CME_TEXT[code] ?? 'unknown';
}

/** The `+CME ERROR` a module prints for an attach rejected with an EMM cause (27.007 §9.2.2). */
export function cmeForEmmCause(emmCause: number): number {
  const table: Record<number, number> = { 3: 103, 6: 106, 7: 107, 11: 111, 12: 112, 13: 113, 15: 115, 22: 122 };
  return table[emmCause] ?? CME.unspecifiedGprsError;
}

/** The `+CME ERROR` a module prints for a PDN connection refused with an ESM cause. */
export function cmeForEsmCause(esmCause: number): number {
  const table: Record<number, number> = {
    26: 126, 27: 127, 28: 128, 29: 129, 30: 130, 31: 131, 32: 132, 33: 133, 34: 134,
  };
  return table[esmCause] ?? CME.unspecifiedGprsError;
}

const EMM_TEXT: Readonly<Record<number, string>> = {
  2: 'IMSI unknown in HSS',
  3: 'Illegal UE',
  6: 'Illegal ME',
  7: 'EPS services not allowed',
  8: 'EPS services and non-EPS services not allowed',
  10: 'Implicitly detached',
  11: 'PLMN not allowed',
  12: 'Tracking area not allowed',
  13: 'Roaming not allowed in this tracking area',
  14: 'EPS services not allowed in this PLMN',
  15: 'No suitable cells in tracking area',
  17: 'Network failure',
  22: 'Congestion',
  111: 'Protocol error, unspecified',
};

const ESM_TEXT: Readonly<Record<number, string>> = {
  8: 'Operator determined barring',
  26: 'Insufficient resources',
  27: 'Missing or unknown APN',
  28: 'Unknown PDN type',
  29: 'User authentication failed',
  30: 'Request rejected by Serving GW or PDN GW',
  31: 'Request rejected, unspecified',
  32: 'Service option not supported',
  33: 'Requested service option not subscribed',
  34: 'Service option temporarily out of order',
  36: 'Regular deactivation',
  38: 'Network failure',
};

export function emmCauseText(cause: number): string {
  return EMM_TEXT[cause] ?? 'Unspecified';
}

export function esmCauseText(cause: number): string {
  return ESM_TEXT[cause] ?? 'Unspecified';
}
