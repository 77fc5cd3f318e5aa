import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import {
  MAX_SCRIPTED_OUTCOMES,
  SCRIPTABLE_CARD_OUTCOMES,
  failNextEsimProvisioning,
  getCardChargeOutcomes,
  setCardChargeOutcomes,
  type ScriptedCardOutcome,
} from '../../app/sandbox-knobs.js';

const knob = (operationId: string, auth: 'root' | 'required') => ({ spec: { operationId, tag: 'Sandbox', auth } });
const OUTCOMES_PATH = '/_cellgate/sandbox/payment_methods/current/charge_outcomes';

/**
 * Sandbox knobs (docs/time-control.md): script the outcomes of the next card charges of the
 * caller's operator in the request's coverage type (root only, like every payment setting), and
 * make the operator's next eSIM provisioning fail.
 */
export function registerSandboxKnobRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.put(
    OUTCOMES_PATH,
    {
      schema: {
        body: {
          type: 'object',
          required: ['outcomes'],
          additionalProperties: false,
          properties: { outcomes: { type: 'array', maxItems: MAX_SCRIPTED_OUTCOMES, items: { type: 'string', enum: [...SCRIPTABLE_CARD_OUTCOMES] } } },
        },
      },
      config: knob('putCellgateSandboxChargeOutcomes', 'root'),
    },
    async (request) => setCardChargeOutcomes(ctx, request.principal!.operatorId, request.coverageType, (request.body as { outcomes: ScriptedCardOutcome[] }).outcomes),
  );

  fastify.get(OUTCOMES_PATH, { config: knob('getCellgateSandboxChargeOutcomes', 'root') }, async (request) =>
    getCardChargeOutcomes(ctx, request.principal!.operatorId, request.coverageType),
  );

  fastify.post(
    '/_cellgate/sandbox/sim_profile_orders/fail_next_provisioning',
    {
      schema: { body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 200 } } } },
      config: knob('failCellgateSandboxNextEsimProvisioning', 'required'),
    },
    async (request) => failNextEsimProvisioning(ctx, request.principal!.operatorId, (request.body as { reason?: string }).reason ?? 'provisioning failed (sandbox)'),
  );
}
