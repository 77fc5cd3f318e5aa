/** The API's shapes as the console reads them (docs/api.md; only the fields it shows). */

export interface SessionStatus {
  online?: boolean;
  imei?: string;
  ueIpAddress?: string;
  lastUpdatedAt?: number;
  cell?: { radioType?: string; mcc?: number; mnc?: number; tac?: number; eci?: number };
}

export interface Subscriber {
  imsi: string;
  iccid: string;
  msisdn: string;
  status: string;
  subscription: string;
  speedClass: string;
  groupId?: string;
  tags: Record<string, string>;
  terminationEnabled: boolean;
  expiryTime?: number;
  expiryAction?: string;
  imeiLock?: { imei: string };
  sessionStatus?: SessionStatus;
  previousSession?: { imei?: string; createdTime: number; deletedTime: number };
  moduleType: string;
  apn: string;
  createdTime: number;
}

export interface SessionEvent {
  event: string;
  time: number;
  imei?: string;
  apn?: string;
  ueIpAddress?: string;
  sessionId: string;
}

export interface StatusChange {
  fromStatus: string | null;
  toStatus: string;
  at: number;
  cause: string;
}

export interface Group {
  groupId: string;
  tags?: Record<string, string>;
}

export interface StatusSnapshot {
  online: boolean;
  agentVersion: string;
  time: number;
  registration: { state: string; rat?: string; rejectCause?: number };
  cell?: { mcc: string; mnc: string; tac: number; eci: number };
  session?: { state: string; apn?: string; ipAddress?: string };
  signal?: { rssiDbm?: number; rsrpDbm?: number; rsrqDb?: number; sinrDb?: number };
  sim?: { imsi?: string; iccid?: string; eid?: string };
  modem?: { manufacturer?: string; model?: string; firmware?: string; imei?: string };
}

export interface Device {
  deviceId: string;
  operatorId: string;
  createdAt: number;
  status: StatusSnapshot | null;
}

export interface DeviceEvent {
  key: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: number;
  receivedAt: number;
}
