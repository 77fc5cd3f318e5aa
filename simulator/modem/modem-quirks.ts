import type { DialectProfile } from './dialects.js';

/**
 * Per-modem toggles for the eUICC-over-AT quirks real modules show (AT-REFERENCE.md, "Known
 * quirks worth a simulator toggle"). Each starts from the dialect's value and can be flipped on
 * one modem, at start (`startSimulatedModem({ quirks })`) or at run time (`modem.quirks.x = …`).
 */
export interface ModemQuirks {
  /**
   * `+CGLA:<len>,"…"` without the space after the colon. Off everywhere by default: 27.007 §8.43
   * writes `+CGLA: `, and no public capture of a module doing otherwise was found (control name
   * `cgla-nospace`).
   */
  cglaNoSpace: boolean;
  /**
   * `AT+CCHO` answers the bare channel number instead of `+CCHO: <sessionid>`: Fibocom FM350-GL
   * (lpac issue #179, PRs #427 / #445 / #449). Control name `fibocom-fm350` (alias `ccho-bare`).
   */
  cchoBare: boolean;
  /**
   * `AT+CCHO` answers a 16-hex-digit session handle, used as-is by `AT+CGLA` / `AT+CCHC`; the
   * module sets the CLA's channel bits itself (27.007 §8.45): Sierra Wireless MC7455 / EM7590
   * (lpac issue #138, PR #139). Control name `sierra-em7590` (with no `AT+CGLA=?` test form).
   */
  cchoSessionHandle: boolean;
  /** `AT+CCHO=?`, `AT+CCHC=?`, `AT+CGLA=?` answer `ERROR` (the module lacks the test forms). */
  noChannelTestForms: boolean;
  /** Extra time (ms, on the modem clock, not scaled by `speed`) every `AT+CGLA` / `AT+CSIM` takes. */
  slowApduMs: number;
  /**
   * The module ignores the card's REFRESH after a profile switch: it keeps showing the old
   * ICCID / IMSI until a SIM power cycle (`AT+CFUN=0` → `AT+CFUN=1`, or a module reboot).
   */
  needsSimPowerCycle: boolean;
}

/** The quirks a dialect ships with, overridden by `overrides`. */
export function resolveQuirks(dialect: DialectProfile, overrides: Partial<ModemQuirks> = {}): ModemQuirks {
  return {
    // 3GPP TS 27.007 formats on every dialect (lpac's AT backend expects exactly these);
    // deviations are opt-in quirks named after the modules that show them.
    cglaNoSpace: false,
    cchoBare: false,
    cchoSessionHandle: false,
    noChannelTestForms: !dialect.channelTestForms,
    slowApduMs: 0,
    needsSimPowerCycle: false,
    ...overrides,
  };
}

/** Reads `cgla-nospace=on`-style tokens (the `quirk` control command); undefined when unknown. */
export function parseQuirkSetting(name: string, value: string): Partial<ModemQuirks> | undefined {
  const on = value === 'on' || value === 'true' || value === '1';
  const off = value === 'off' || value === 'false' || value === '0';
  switch (name) {
    case 'cgla-nospace':
      return on || off ? { cglaNoSpace: on } : undefined;
    case 'ccho-bare':
    case 'fibocom-fm350':
      return on || off ? { cchoBare: on } : undefined;
    case 'sierra-em7590':
      return on || off ? { cchoSessionHandle: on, noChannelTestForms: on } : undefined;
    case 'no-test-forms':
      return on || off ? { noChannelTestForms: on } : undefined;
    case 'sim-power-cycle':
      return on || off ? { needsSimPowerCycle: on } : undefined;
    case 'slow-apdu': {
      if (off) return { slowApduMs: 0 };
      const ms = /^\d{1,6}$/.test(value) ? Number(value) : undefined;
      return ms === undefined ? undefined : { slowApduMs: ms };
    }
    default:
      return undefined;
  }
}
