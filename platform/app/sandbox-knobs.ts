/**
 * Sandbox knobs (docs/time-control.md "Sandbox knobs"): scripted failures a tester sets over HTTP
 * so the failure rules of seeds 002 and 004 can be driven from outside.
 * - The outcomes of the next card charges of an operator × coverage type (`["card_declined",
 *   "card_declined", "success"]`): each charge attempt (monthly charge, daily retry, manual retry,
 *   order payment) takes the next scripted outcome; when the script is used up the card behaves
 *   as its number says again. Verification holds are not scripted.
 * - The next eSIM provisioning of an operator fails with a reason.
 * Both are documents in the store, consumed in the same transaction as the charge or provisioning
 * they decide, so a crash never loses or repeats one.
 */
import { CARD_ERROR_MESSAGES, type CardErrorCode, type CardProcessor } from '../domain/billing/index.js';
import type { CoverageType } from '../domain/ids.js';
import type { StoreTx } from '../store/port.js';
import { useCase, type AppContext } from './context.js';

const KNOB_KIND = 'sandbox-knob';
const cardKey = (operatorId: string, coverage: CoverageType): string => `card-outcomes:${operatorId}:${coverage}`;
const esimKey = (operatorId: string): string => `esim-provisioning-failure:${operatorId}`;

export type ScriptedCardOutcome = CardErrorCode | 'success';
export const SCRIPTABLE_CARD_OUTCOMES: readonly ScriptedCardOutcome[] = ['success', ...(Object.keys(CARD_ERROR_MESSAGES) as CardErrorCode[])];
/** [choice] Longest script: a month of daily retries and then some. */
export const MAX_SCRIPTED_OUTCOMES = 100;

/** Replaces the script of the next charges' outcomes (an empty list clears it). */
export async function setCardChargeOutcomes(ctx: AppContext, operatorId: string, coverage: CoverageType, outcomes: ScriptedCardOutcome[]): Promise<{ outcomes: ScriptedCardOutcome[] }> {
  await useCase(ctx, async (tx) => {
    if (outcomes.length === 0) await tx.delete(KNOB_KIND, cardKey(operatorId, coverage));
    else await tx.put(KNOB_KIND, cardKey(operatorId, coverage), { outcomes }, operatorId);
  });
  return { outcomes };
}

/** The outcomes still scripted for the next charges. */
export async function getCardChargeOutcomes(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<{ outcomes: ScriptedCardOutcome[] }> {
  const doc = await ctx.store.transaction((tx) => tx.get<{ outcomes: ScriptedCardOutcome[] }>(KNOB_KIND, cardKey(operatorId, coverage)));
  return { outcomes: doc?.outcomes ?? [] };
}

/**
 * A processor that answers charges from the account's script first, and `commit` to store what
 * is left of it (call it in the same transaction, after the step used the processor).
 */
export async function scriptedCardProcessor(tx: StoreTx, operatorId: string, coverage: CoverageType, base: CardProcessor): Promise<{ processor: CardProcessor; commit(): Promise<void> }> {
  const doc = await tx.get<{ outcomes: ScriptedCardOutcome[] }>(KNOB_KIND, cardKey(operatorId, coverage));
  if (!doc || doc.outcomes.length === 0) return { processor: base, commit: async () => undefined };
  const left = [...doc.outcomes];
  const processor: CardProcessor = {
    decide(card, purpose, now) {
      const scripted = purpose === 'charge' ? left.shift() : undefined;
      if (scripted === undefined) return base.decide(card, purpose, now);
      return scripted === 'success' ? { ok: true } : { ok: false, code: scripted, message: CARD_ERROR_MESSAGES[scripted] };
    },
  };
  return {
    processor,
    commit: async () => {
      if (left.length === doc.outcomes.length) return;
      if (left.length === 0) await tx.delete(KNOB_KIND, cardKey(operatorId, coverage));
      else await tx.put(KNOB_KIND, cardKey(operatorId, coverage), { outcomes: left }, operatorId);
    },
  };
}

/** The operator's next eSIM provisioning fails with `reason`. */
export async function failNextEsimProvisioning(ctx: AppContext, operatorId: string, reason: string): Promise<{ reason: string }> {
  await useCase(ctx, (tx) => tx.put(KNOB_KIND, esimKey(operatorId), { reason }, operatorId));
  return { reason };
}

/** Takes (and clears, in `tx`) the scripted failure of the operator's next provisioning, if any. */
export async function takeEsimProvisioningFailure(tx: StoreTx, operatorId: string): Promise<string | undefined> {
  const doc = await tx.get<{ reason: string }>(KNOB_KIND, esimKey(operatorId));
  if (!doc) return undefined;
  await tx.delete(KNOB_KIND, esimKey(operatorId));
  return doc.reason;
}
