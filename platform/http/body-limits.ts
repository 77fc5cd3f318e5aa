import type { RouteOptions } from 'fastify';

/**
 * Largest request body each route reads (docs/api.md "Limits"); anything larger is refused with
 * `413 COM0008` before it is buffered whole.
 *
 * [choice] 4 KiB for logins (an email, a password and a few fields: nothing honest is bigger);
 * 320 KiB for a device command (its payload may be as large as an MQTT message, 256 KiB, plus
 * the JSON around it); 64 KiB for everything else (the largest real body, 100 group
 * configuration entries or a SIM transfer's list of IMSIs, is a few KiB).
 */
export const BODY_LIMITS = {
  login: 4 * 1024,
  deviceCommand: 320 * 1024,
  default: 64 * 1024,
} as const;

/** The limit of one route, from its operation. */
export function bodyLimitOf(route: Pick<RouteOptions, 'url' | 'config'>): number {
  const spec = (route.config as { spec?: { tag?: string; operationId?: string } } | undefined)?.spec;
  if (spec?.tag === 'Auth') return BODY_LIMITS.login;
  if (spec?.operationId === 'sendCellgateDeviceCommand') return BODY_LIMITS.deviceCommand;
  return BODY_LIMITS.default;
}
