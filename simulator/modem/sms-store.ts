/**
 * The simulated module's short message service state (3GPP TS 27.005): message memories with
 * their capacity, what `+CPMS` selected, and the `+CMGF` / `+CSCS` / `+CNMI` / `+CSDH` settings.
 * Memories survive a reboot (they are on the SIM or in flash); the settings return to defaults.
 */

export type SmsMemory = 'SM' | 'ME';
export type SmsStatus = 'REC UNREAD' | 'REC READ';

export interface StoredSms {
  status: SmsStatus;
  /** The whole PDU as `AT+CMGR` shows it in PDU mode (SMSC address first). */
  pdu: string;
  /** TPDU octets (the PDU without the SMSC address): the `<length>` of `+CMGR` / `+CMGL`. */
  tpduLength: number;
}

/**
 * [choice] Capacities: the SIM holds 30 messages, the module's own memory 100 (real cards hold
 * 10–50, modules 50–255). `sms-capacity` on the control interface changes them.
 */
export const DEFAULT_SMS_CAPACITY: Readonly<Record<SmsMemory, number>> = { SM: 30, ME: 100 };

/** `+CNMI` `<mode>,<mt>,<bm>,<ds>,<bfr>`. [choice] Default 2,1,0,0,0 (the Quectel BG96 default). */
export type CnmiSettings = [number, number, number, number, number];

export class SmsStore {
  readonly memories: Record<SmsMemory, (StoredSms | undefined)[]>;
  /** `+CPMS` memories: read/delete, write/send, receive. */
  mem: [SmsMemory, SmsMemory, SmsMemory] = ['ME', 'ME', 'ME'];
  pduMode = true;
  charset: 'GSM' | 'IRA' | 'UCS2' = 'GSM';
  cnmi: CnmiSettings = [2, 1, 0, 0, 0];
  showHeader = false;
  private readonly freedListeners = new Set<() => void>();

  constructor(capacity: Readonly<Record<SmsMemory, number>> = DEFAULT_SMS_CAPACITY) {
    this.memories = { SM: new Array(capacity.SM).fill(undefined), ME: new Array(capacity.ME).fill(undefined) };
  }

  /** Settings after power-on (messages stay). */
  resetSettings(): void {
    this.pduMode = true;
    this.charset = 'GSM';
    this.cnmi = [2, 1, 0, 0, 0];
    this.showHeader = false;
  }

  used(memory: SmsMemory): number {
    return this.memories[memory].filter(Boolean).length;
  }

  capacity(memory: SmsMemory): number {
    return this.memories[memory].length;
  }

  free(memory: SmsMemory): number {
    return this.capacity(memory) - this.used(memory);
  }

  /** Changes a memory's size; messages beyond it are lost (as when a smaller card goes in). */
  setCapacity(memory: SmsMemory, capacity: number): void {
    const slots = this.memories[memory];
    slots.length = capacity;
    for (let i = 0; i < capacity; i++) if (slots[i] === undefined) slots[i] = undefined;
    this.notifyFreed();
  }

  /** Stores in the first free slot; its index (0-based, as Quectel and SIMCom number them). */
  store(memory: SmsMemory, sms: StoredSms): number | undefined {
    const slots = this.memories[memory];
    const index = slots.findIndex((s) => s === undefined);
    if (index < 0) return undefined;
    slots[index] = sms;
    return index;
  }

  read(memory: SmsMemory, index: number): StoredSms | undefined {
    return this.memories[memory][index];
  }

  delete(memory: SmsMemory, index: number): void {
    if (this.memories[memory][index] === undefined) return;
    this.memories[memory][index] = undefined;
    this.notifyFreed();
  }

  /** Memory was freed: the network may deliver what it held back (the RP-SMMA of TS 24.011). */
  onFreed(listener: () => void): () => void {
    this.freedListeners.add(listener);
    return () => this.freedListeners.delete(listener);
  }

  private notifyFreed(): void {
    for (const l of [...this.freedListeners]) l();
  }
}
