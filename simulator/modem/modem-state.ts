/** Settings a module keeps in NV across reboots (APNs, RAT preferences, band masks). */
export interface PersistentSettings {
  contexts: Map<number, PdpContextDefinition>;
  qcfg: Map<string, string>;
  cnmp: number;
  cmnb: number;
  cncfg: Map<number, { ipType: number; apn: string; user: string; password: string; auth: number }>;
  qsimdet: [number, number];
  /** u-blox `+URAT` list, `+UMNOPROF`, PSD profile → context (`+UPSD=<p>,100,<cid>`). */
  urat: string;
  mnoProfile: number;
  psdProfiles: Map<number, number>;
  /** Telit `#WS46`. */
  ws46: number;
  /** nRF91 `%XSYSTEMMODE` (LTE-M, NB-IoT, GNSS, preference). */
  systemMode: [number, number, number, number];
  /** SIM7600 socket stack opened with `AT+NETOPEN`. */
  netOpen: boolean;
}

export interface PdpContextDefinition {
  pdpType: string;
  apn: string;
  authType: number;
  user: string;
  password: string;
}

/** Settings a reset returns to defaults (V.250 / 27.007 volatile parameters). */
export interface VolatileSettings {
  echo: boolean;
  cmee: 0 | 1 | 2;
  cfun: 0 | 1 | 4;
  cregN: number;
  cgregN: number;
  ceregN: number;
  cgerepMode: number;
  cgerepBfr: number;
  /** `AT+COPS=3,<format>`: 0 long, 1 short, 2 numeric operator names in `AT+COPS?`. */
  copsFormat: number;
}

export function defaultPersistent(firstCid = 1): PersistentSettings {
  return {
    contexts: new Map([[firstCid, { pdpType: 'IP', apn: '', authType: 0, user: '', password: '' }]]),
    qcfg: new Map([
      ['iotopmode', '2'],
      ['nwscanseq', '020301'],
      ['nwscanmode', '0'],
      ['band', '0xf,0x100002000000000f0e189f,0x10004200000000090e189f'],
    ]),
    cnmp: 2,
    cmnb: 3,
    cncfg: new Map([0, 1, 2, 3].map((i) => [i, { ipType: 0, apn: '', user: '', password: '', auth: 0 }])),
    qsimdet: [0, 0],
    urat: '7',
    mnoProfile: 100,
    psdProfiles: new Map(),
    ws46: 0,
    systemMode: [1, 0, 0, 0],
    netOpen: false,
  };
}

export function defaultVolatile(cmee: 0 | 1 | 2, cfun: 0 | 1 = 1): VolatileSettings {
  return { echo: true, cmee, cfun, cregN: 0, cgregN: 0, ceregN: 0, cgerepMode: 0, cgerepBfr: 0, copsFormat: 0 };
}

/** Why the last call, attach or session failed, as `AT+CEER` reports it. */
export type LastFailure = { kind: 'emm'; cause: number } | { kind: 'esm'; cause: number } | undefined;
