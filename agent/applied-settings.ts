/**
 * Settings the platform changed with `set-apn` / `set-rat`, kept in `<dataDir>/settings.json`
 * so they survive a restart. [choice] They override the config file until the file is deleted:
 * a fleet operator who moved a gateway to a new APN does not want a reboot to undo it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppliedSettings } from './link-bridge.js';
import type { SessionConfig } from './session/session-config.js';

const RATS = new Set(['lte-m', 'nb-iot', 'lte']);
const AUTHS = new Set(['none', 'pap', 'chap']);

export function settingsPath(dataDir: string): string {
  return join(dataDir, 'settings.json');
}

/** Reads the file; a missing file is no settings, a damaged one is reported and ignored. */
export function readAppliedSettings(path: string, warn: (message: string) => void): AppliedSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`ignoring ${path}: ${(error as Error).message}`);
    return {};
  }
  const out: AppliedSettings = {};
  const o = (raw ?? {}) as Record<string, unknown>;
  if (typeof o.rat === 'string' && RATS.has(o.rat)) out.rat = o.rat as AppliedSettings['rat'];
  const apn = o.apn as Record<string, unknown> | undefined;
  if (apn && typeof apn.apn === 'string' && typeof apn.user === 'string' && typeof apn.password === 'string' && typeof apn.auth === 'string' && AUTHS.has(apn.auth)) {
    out.apn = { apn: apn.apn, user: apn.user, password: apn.password, auth: apn.auth as 'none' | 'pap' | 'chap' };
  }
  return out;
}

/** Writes atomically (temp file + rename), readable by the agent's user only (it holds the APN password). */
export function writeAppliedSettings(path: string, settings: AppliedSettings): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

export function withAppliedSettings(config: SessionConfig, settings: AppliedSettings): SessionConfig {
  return { ...config, ...(settings.apn ? { apn: settings.apn } : {}), ...(settings.rat ? { rat: settings.rat } : {}) };
}
