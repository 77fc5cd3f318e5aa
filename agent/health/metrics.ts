/**
 * The agent's Prometheus metrics, with prom-client: every value is read from the agent when
 * scraped (`collect`), so nothing here keeps its own copy of the truth.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Phase } from '../session/machine.js';
import type { SessionStatus } from '../session/session-driver.js';
import type { LinkState } from './health-report.js';

/** What the metrics read, each time they are scraped. */
export interface MetricsSource {
  status(): SessionStatus;
  /** Seconds spent online since the process started. */
  onlineSeconds(): number;
  /** Times the session came back online after a loss. */
  reconnects(): number;
  /** Entries waiting in the durable outbox; undefined without a link. */
  outboxDepth(): number | undefined;
  linkState(): LinkState;
}

const PHASES = Object.keys({
  idle: 1, 'closing-port': 1, 'opening-port': 1, resetting: 1, syncing: 1, identifying: 1, 'sim-wait': 1, configuring: 1,
  'radio-cycling': 1, deactivating: 1, registering: 1, activating: 1, online: 1, lost: 1, failed: 1, backoff: 1, stopping: 1, stopped: 1,
} satisfies Record<Phase, 1>) as Phase[];
const LINK_STATES: readonly LinkState[] = ['disabled', 'idle', 'connecting', 'connected', 'waiting', 'stopped'];

/** Counters of the session driver, by name prefix, turned into labelled Prometheus counters. */
function prefixed(counters: Readonly<Record<string, number>>, prefix: string): Array<[string, number]> {
  return Object.entries(counters)
    .filter(([name]) => name.startsWith(prefix))
    .map(([name, value]) => [name.slice(prefix.length), value]);
}

/** A registry with the agent's metrics (names in docs/agent.md, Health and metrics). */
export function createAgentMetrics(source: MetricsSource): Registry {
  const registry = new Registry();
  const registers = [registry];
  const counterFrom = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  counterFrom('cellgate_agent_attach_attempts_total', 'Attach attempts (each runs a plan of steps).', () => source.status().counters.attempts ?? 0);
  counterFrom('cellgate_agent_reconnects_total', 'Times the data session came back online after a loss.', () => source.reconnects());
  counterFrom('cellgate_agent_online_seconds_total', 'Seconds spent with a data session up.', () => source.onlineSeconds());
  counterFrom('cellgate_agent_module_resets_total', 'Module resets the agent ordered.', () => source.status().counters.module_resets ?? 0);
  new Counter({
    name: 'cellgate_agent_session_losses_total',
    help: 'Data sessions lost while online, by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const [reason, value] of prefixed(source.status().counters, 'losses_')) this.inc({ reason }, value);
    },
  });
  new Counter({
    name: 'cellgate_agent_attach_failures_total',
    help: 'Failed attach attempts, by kind (transient, registration-rejected, session-refused, ...).',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      for (const [kind, value] of prefixed(source.status().counters, 'failures_')) this.inc({ kind }, value);
    },
  });
  new Gauge({
    name: 'cellgate_agent_outbox_depth',
    help: 'Entries in the durable outbox not yet acknowledged by the platform.',
    registers,
    collect() {
      const depth = source.outboxDepth();
      if (depth === undefined) this.reset();
      else this.set(depth);
    },
  });
  new Gauge({
    name: 'cellgate_agent_signal_dbm',
    help: 'Last signal reading (rssi, rsrp in dBm; rsrq in dB).',
    labelNames: ['measure'],
    registers,
    collect() {
      this.reset();
      const s = source.status().signal;
      if (s?.rssiDbm !== undefined) this.set({ measure: 'rssi' }, s.rssiDbm);
      if (s?.rsrpDbm !== undefined) this.set({ measure: 'rsrp' }, s.rsrpDbm);
      if (s?.rsrqDb !== undefined) this.set({ measure: 'rsrq' }, s.rsrqDb);
    },
  });
  new Gauge({
    name: 'cellgate_agent_session_state',
    help: 'The session state machine phase: 1 for the current phase, 0 for the others.',
    labelNames: ['state'],
    registers,
    collect() {
      const current = source.status().state;
      for (const phase of PHASES) this.set({ state: phase }, phase === current ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cellgate_agent_online',
    help: '1 while the data session is up.',
    registers,
    collect() {
      this.set(source.status().online ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cellgate_agent_link_state',
    help: 'The MQTT link to the platform: 1 for the current state, 0 for the others (disabled: no link configured).',
    labelNames: ['state'],
    registers,
    collect() {
      const current = source.linkState();
      for (const state of LINK_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  return registry;
}
