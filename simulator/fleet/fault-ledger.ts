/**
 * Faults one by one: which gateway each hit, whether it really took the gateway down, and how
 * long after the fault ended the gateway was online again. docs/fleet.md "Recovery".
 *
 * A fault counts only on a gateway that was online when it hit. It is then
 * - **recovered** once the gateway went offline after it and is online again at or after the
 *   fault's end (recovery time = back online − fault end; 0 when it was back before the end and
 *   still online then);
 * - **not recovered** when it took the gateway down and the gateway is still offline at the end;
 * - **not observed** when the gateway did not go offline between the hit and the fault's end plus
 *   an observation window (the kind's recovery bound): the agent never noticed, which proves
 *   nothing about recovery, so it is not counted as recovered. The window keeps a later,
 *   unrelated loss (days after a short garbage burst) from being taken for this fault's.
 */

/** One fault on one gateway, until it is settled. */
export interface OpenFault {
  kind: string;
  /** Clock time the fault ends (lasting events: when lifted; one-shot faults: when injected or the port returns). */
  endsAt: number;
  /** The gateway went offline after the fault hit. */
  wentDown: boolean;
  /** When it was last seen coming back online after going down (cleared when it goes down again). */
  backAt?: number;
}

/** The fault figures of a run (or of merged shards). */
export interface FaultFigures {
  injected: Record<string, number>;
  recovered: Record<string, number>;
  notObserved: Record<string, number>;
  notRecovered: Record<string, number>;
  /** Per kind, each recovered fault's time from fault end to online again (ms). */
  recoveryTimesMs: Record<string, number[]>;
  /** Per kind, the longest a not-recovered gateway had been down past its fault's end when the run ended (ms). */
  stillDownMs: Record<string, number>;
}

/** What the ledger needs of a gateway: its open faults live on it (O(1) per state change). */
export interface FaultHolder {
  openFaults: OpenFault[];
  /** Faults that hit it, and how many of those never recovered (for the "most troubled" list). */
  faultsHit: number;
  faultsUnrecovered: number;
}

const bump = (record: Record<string, number>, kind: string, n = 1): void => void (record[kind] = (record[kind] ?? 0) + n);

export class FaultLedger {
  readonly figures: FaultFigures = { injected: {}, recovered: {}, notObserved: {}, notRecovered: {}, recoveryTimesMs: {}, stillDownMs: {} };
  private readonly holders = new Set<FaultHolder>();

  /** `windowMs(kind)`: how long after a fault's end a loss still counts as caused by it. */
  constructor(private readonly windowMs: (kind: string) => number) {}

  /** A fault of `kind` hit `gw` (online when it hit); it ends at `endsAt`; `wentDown`: already offline because of it. */
  inject(gw: FaultHolder, kind: string, endsAt: number, wentDown = false): void {
    bump(this.figures.injected, kind);
    gw.faultsHit++;
    gw.openFaults.push({ kind, endsAt, wentDown });
    this.holders.add(gw);
  }

  /**
   * The gateway went offline or came online at `at`. Returns how many of its faults recovered
   * now (for the report's series).
   */
  stateChanged(gw: FaultHolder, online: boolean, at: number): number {
    if (gw.openFaults.length === 0) return 0;
    if (online) {
      for (const fault of gw.openFaults) if (fault.wentDown) fault.backAt = at;
      return this.settle(gw, at);
    }
    gw.openFaults = gw.openFaults.filter((fault) => {
      if (!fault.wentDown && at > fault.endsAt + this.windowMs(fault.kind)) {
        bump(this.figures.notObserved, fault.kind);
        return false;
      }
      fault.wentDown = true;
      delete fault.backAt;
      return true;
    });
    if (gw.openFaults.length === 0) this.holders.delete(gw);
    return 0;
  }

  /** A lasting fault was lifted at `at`: settles what is back online by now. */
  lifted(gw: FaultHolder, at: number): number {
    return gw.openFaults.length === 0 ? 0 : this.settle(gw, at);
  }

  /** Classifies what is still open at the end of the run (`at`) and returns the figures. */
  finish(at: number): FaultFigures {
    for (const gw of this.holders) {
      this.settle(gw, Number.POSITIVE_INFINITY);
      for (const fault of gw.openFaults) {
        if (!fault.wentDown) bump(this.figures.notObserved, fault.kind);
        else {
          bump(this.figures.notRecovered, fault.kind);
          gw.faultsUnrecovered++;
          const down = Math.max(0, at - fault.endsAt);
          this.figures.stillDownMs[fault.kind] = Math.max(this.figures.stillDownMs[fault.kind] ?? 0, down);
        }
      }
      gw.openFaults = [];
    }
    this.holders.clear();
    return this.figures;
  }

  /** Credits every fault of `gw` that went down, is back, and has ended by `now`. */
  private settle(gw: FaultHolder, now: number): number {
    let recovered = 0;
    gw.openFaults = gw.openFaults.filter((fault) => {
      if (!fault.wentDown || fault.backAt === undefined || now < fault.endsAt) return true;
      bump(this.figures.recovered, fault.kind);
      (this.figures.recoveryTimesMs[fault.kind] ??= []).push(Math.max(0, fault.backAt - fault.endsAt));
      recovered++;
      return false;
    });
    if (gw.openFaults.length === 0) this.holders.delete(gw);
    return recovered;
  }
}

const addRecords = (a: Record<string, number>, b: Record<string, number> | undefined): Record<string, number> => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
};

/** Merges shard figures: counts add, samples concatenate, the longest still-down time wins. */
export function mergeFaultFigures(parts: ReadonlyArray<Partial<FaultFigures> & Pick<FaultFigures, 'injected' | 'recovered'>>): FaultFigures {
  const out: FaultFigures = { injected: {}, recovered: {}, notObserved: {}, notRecovered: {}, recoveryTimesMs: {}, stillDownMs: {} };
  for (const p of parts) {
    out.injected = addRecords(out.injected, p.injected);
    out.recovered = addRecords(out.recovered, p.recovered);
    out.notObserved = addRecords(out.notObserved, p.notObserved);
    out.notRecovered = addRecords(out.notRecovered, p.notRecovered);
    for (const [k, times] of Object.entries(p.recoveryTimesMs ?? {})) (out.recoveryTimesMs[k] ??= []).push(...times);
    for (const [k, ms] of Object.entries(p.stillDownMs ?? {})) out.stillDownMs[k] = Math.max(out.stillDownMs[k] ?? 0, ms);
  }
  return out;
}
