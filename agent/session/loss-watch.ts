/**
 * Turns what the module says on its own (URCs) into session events: `+CEREG` into registration
 * events, and the loss signals of docs/agent.md ("Loss detection") into `loss` events. Handlers
 * only enqueue; the machine decides what a loss means in its phase.
 */
import type { AtChannel } from '../at/types.js';
import { dialects } from '../modem/dialects.js';
import { isSessionLoss, parseCgev, parseCpin } from '../modem/parsers.js';
import { effectiveRegistration, parseRegistration, type RegistrationDomain } from '../modem/registration.js';
import type { SessionEvent } from './machine.js';
import type { PortEvents } from './modem-port.js';
import type { SessionContext } from './session-context.js';
import { noteRegistration } from './session-status.js';

const bootUrcs = [...new Set(dialects.flatMap((d) => (d.bootUrc ? [d.bootUrc] : [])))];
const registrationPrefixes: ReadonlyArray<[string, RegistrationDomain]> = [
  ['+CREG', 'cs'],
  ['+CGREG', 'ps'],
  ['+CEREG', 'eps'],
];
const lossUrcPrefixes = [...new Set(dialects.flatMap((d) => d.lossUrcs.map((u) => u.prefix)))];

export class LossWatch implements PortEvents {
  private bootWaiters: Array<() => void> = [];

  constructor(
    private readonly ctx: SessionContext,
    private readonly emit: (event: SessionEvent) => void,
  ) {}

  /** Resolves at the next boot URC, or when the port closes (a USB module re-enumerating). */
  nextBoot(): Promise<void> {
    return new Promise((resolve) => this.bootWaiters.push(resolve));
  }

  opened(channel: AtChannel): Array<() => void> {
    const { ctx } = this;
    return [
      ...registrationPrefixes.map(([prefix, domain]) =>
        channel.onUrc(prefix, (urc) => {
          const expectedMode = domain === 'eps' ? ctx.config.ceregMode : 2;
          const registration = parseRegistration(domain, urc.args, { expectedMode });
          if (!registration) {
            ctx.log.warn({ urc: urc.line }, 'registration URC in no known shape, ignored');
            return;
          }
          ctx.modem.registrations[domain] = registration;
          // Only the reports in use decide (a circuit reject beside a packet registration does not).
          if (!ctx.modem.domains.includes(domain)) return;
          const effective = effectiveRegistration(ctx.modem.registrations, ctx.modem.domains);
          if (!effective) return;
          noteRegistration(ctx.facts, effective, ctx.config.rat);
          this.emit({ type: 'registration', registration: effective });
        }),
      ),
      channel.onUrc('+CGEV', (urc) => {
        const event = parseCgev(urc.args);
        // +CGEV numbers contexts as +CGDCONT does: the dialect says which one the session uses.
        if (!isSessionLoss(event, ctx.modem.dialect?.pdpCid ?? 1, ctx.facts.ip)) return;
        const detach = event.kind === 'nw-detach' || event.kind === 'me-detach';
        this.emit({ type: 'loss', reason: detach ? 'detached' : 'pdp-deactivated' });
      }),
      channel.onUrc('+CPIN', (urc) => {
        const pin = parseCpin(urc.args);
        if (pin !== 'not-ready' && pin !== 'not-inserted') return;
        ctx.modem.needsResync = true;
        this.emit({ type: 'loss', reason: 'sim-removed' });
      }),
      ...(channel.onEcho
        ? [
            channel.onEcho((line) => {
              if (!ctx.modem.echoOff) return;
              // Echo is back on: the module rebooted (its settings are the defaults again).
              ctx.modem.echoOff = false;
              ctx.log.warn({ echo: line }, 'the module echoes commands again: it restarted');
              this.restarted();
            }),
          ]
        : []),
      ...bootUrcs.map((prefix) =>
        channel.onUrc(prefix, (urc) => {
          if (urc.args !== '') return;
          this.restarted();
        }),
      ),
      ...lossUrcPrefixes.map((prefix) =>
        channel.onUrc(prefix, (urc) => {
          const dialect = ctx.modem.dialect;
          const row = dialect?.lossUrcs.find((u) => u.prefix === prefix);
          if (!dialect || !row || !row.isLoss(urc.args, dialect.cid)) return;
          this.emit({ type: 'loss', reason: row.reason === 'module-powered-down' ? 'module-powered-down' : 'pdp-deactivated' });
        }),
      ),
    ];
  }

  private restarted(): void {
    this.ctx.counters.add('module_boots');
    this.ctx.modem.needsResync = true;
    this.ctx.modem.echoOff = false;
    this.wakeBootWaiters();
    this.emit({ type: 'loss', reason: 'module-restarted' });
  }

  closed(): void {
    this.wakeBootWaiters();
    this.emit({ type: 'loss', reason: 'port-closed' });
  }

  private wakeBootWaiters(): void {
    for (const wake of this.bootWaiters.splice(0)) wake();
  }
}

