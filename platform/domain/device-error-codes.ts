/**
 * Error codes of the device link (`DEV`), the remote network gate (`NET`), groups (`GRP`) and the
 * metadata service (`MDS`): same entry shape as the platform registry (platform/domain/errors.ts),
 * which spreads them in; docs/api.md lists every code.
 */

export type DeviceErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'timeout' | 'unavailable';

export const DEVICE_ERROR_CODES = {
  DEV0001: { kind: 'not-found', message: 'The device does not exist.' },
  DEV0002: { kind: 'conflict', message: 'The device id is registered to another operator.' },
  DEV0003: { kind: 'invalid', message: 'The device id is invalid: 1 to 64 characters of A-Z a-z 0-9 _ -, starting with a letter or digit.' },
  DEV0004: { kind: 'invalid', message: 'The command is invalid.' },
  DEV0005: { kind: 'timeout', message: 'The device did not answer the command in time.' },
  DEV0006: { kind: 'unavailable', message: 'The platform is not connected to the MQTT broker.' },
  NET0001: { kind: 'unauthenticated', message: 'A network token is required (Authorization: Bearer <token>).' },
  NET0002: { kind: 'unauthenticated', message: 'The network token is invalid.' },
  GRP0001: { kind: 'not-found', message: 'The specified group does not exist.' },
  GRP0002: { kind: 'invalid', message: 'The configuration parameters are invalid.' },
  GRP0003: { kind: 'not-found', message: 'The configuration parameter does not exist.' },
  GRP0004: { kind: 'not-found', message: 'The group has no such tag.' },
  MDS0001: { kind: 'forbidden', message: 'The metadata service is only available to a device on a live data session.' },
  MDS0002: { kind: 'forbidden', message: "The metadata service is not enabled in the SIM's group." },
  MDS0003: { kind: 'not-found', message: "No user data is set in the SIM's group." },
} as const satisfies Record<string, { kind: DeviceErrorKind; message: string }>;
