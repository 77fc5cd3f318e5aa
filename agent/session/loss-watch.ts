/**
 * Turns what the module says on its own (URCs) into session events: `+CEREG` into registration
 * events, and the loss signals of docs/agent.md ("Loss detection") into `loss` events. Handlers
 * only enqueue; the machine decides what a loss means in its phase.
 */
import type { AtChannel } from '../at/types.js';
import { dialects } from '../modem/dialects.js';
import { isSessionLoss, parseCereg, parseCgev, parseCpin } from '../modem/parsers.js';
import type { SessionEvent } from './machine.js';
import type { PortEvents } from './modem-port.js';
import type { SessionContext } from './session-context.js';
import { noteRegistration } from './session-status.js';

const bootUrcs = [...new Set(dialects.map((d) => d.bootUrc))];
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
      channel.onUrc('+CEREG', (urc) => {
        const registration = parseCereg(urc.args, 'auto');
        if (!registration) return;
        noteRegistration(ctx.facts, registration, ctx.config.rat);
        this.emit({ type: 'registration', registration });
      }),
      channel.onUrc('+CGEV', (urc) => {
        const event = parseCgev(urc.args);
        // +CGEV numbers contexts as +CGDCONT does: the agent defines context 1 on every dialect.
        if (!isSessionLoss(event, 1)) return;
        const detach = event.kind === 'nw-detach' || event.kind === 'me-detach';
        this.emit({ type: 'loss', reason: detach ? 'detached' : 'pdp-deactivated' });
      }),
      channel.onUrc('+CPIN', (urc) => {
        const pin = parseCpin(urc.args);
        if (pin !== 'not-ready' && pin !== 'not-inserted') return;
        ctx.modem.needsResync = true;
        this.emit({ type: 'loss', reason: 'sim-removed' });
      }),
      ...bootUrcs.map((prefix) =>
        channel.onUrc(prefix, (urc) => {
          if (urc.args !== '') return;
          ctx.counters.add('module_boots');
          ctx.modem.needsResync = true;
          this.wakeBootWaiters();
          this.emit({ type: 'loss', reason: 'module-restarted' });
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

  closed(): void {
    this.wakeBootWaiters();
    this.emit({ type: 'loss', reason: 'port-closed' });
  }

  private wakeBootWaiters(): void {
    for (const wake of this.bootWaiters.splice(0)) wake();
  }
}
