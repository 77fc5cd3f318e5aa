/** JSON schemas shared by routes (request side; fastify validates with ajv). */

export const IMSI_PARAM = { type: 'string', pattern: '^[0-9]{15}$' } as const;
export const OPERATOR_ID_PARAM = { type: 'string', pattern: '^OP[0-9]{10}$' } as const;

export const imsiParams = { type: 'object', required: ['imsi'], properties: { imsi: IMSI_PARAM } } as const;

export const operatorParams = { type: 'object', required: ['operator_id'], properties: { operator_id: OPERATOR_ID_PARAM } } as const;

export const userParams = {
  type: 'object',
  required: ['operator_id', 'user_name'],
  properties: { operator_id: OPERATOR_ID_PARAM, user_name: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

export const SUBSCRIPTION_ENUM = ['plan01s', 'plan01s-low_data_volume', 'plan-D', 'plan-K', 'plan-KM1', 'plan-DU', 'planX1', 'planP1'];
export const SPEED_CLASS_ENUM = ['s1.minimum', 's1.slow', 's1.standard', 's1.fast', 's1.4xfast', 's1.8xfast', 'u1.standard', 'u1.slow', 't1.standard'];
