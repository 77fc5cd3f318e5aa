/**
 * Temporary or permanent: how the agent reads a network's refusal (3GPP TS 24.301 §9.9.3.9 EMM
 * causes for a registration reject, §9.9.4.4 ESM causes for a refused PDN connection).
 *
 * A permanent refusal will not change by retrying soon (the SIM is terminated or suspended, the
 * subscription does not allow the service); a temporary one may (congestion, an inactive SIM that
 * the operator may re-activate any minute, lack of resources). Both back off far longer than a
 * transient fault (SPEC §2); permanent ones reach the rest period sooner.
 */

export type CauseSeverity = 'temporary' | 'permanent';

/** EMM causes after which retrying in the same PLMN is pointless until something changes. */
const permanentEmm = new Set([3, 6, 7, 8, 11, 12, 13, 14, 25, 35]);

/**
 * ESM causes that mean "not for you" rather than "not now": #8 operator determined barring,
 * #29 user authentication failed, #32 service option not supported, #33 requested service
 * option not subscribed. #26 insufficient resources and #27 missing or unknown APN are treated
 * as temporary (AT-REFERENCE.md).
 */
const permanentEsm = new Set([8, 29, 32, 33]);

export function classifyEmmCause(cause: number | undefined): CauseSeverity {
  return cause !== undefined && permanentEmm.has(cause) ? 'permanent' : 'temporary';
}

export function classifyEsmCause(cause: number | undefined): CauseSeverity {
  return cause !== undefined && permanentEsm.has(cause) ? 'permanent' : 'temporary';
}
