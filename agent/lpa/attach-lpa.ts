/**
 * Wires the LPA service into a running agent: the platform's eSIM commands on the MQTT link, and
 * notification delivery at start-up, whenever the session comes online, and after every operation.
 */
import type { Clock } from '../../common/clock.js';
import { childLogger, type Logger } from '../../common/log.js';
import type { AtChannel } from '../at/types.js';
import type { AgentLink, CommandOutcome } from '../link/agent-link.js';
import { LpaService, type LpaServiceConfig, type LpaSessionHooks, type SwitchOutcome } from './service.js';

export interface AttachLpaOptions {
  /** The live AT channel, e.g. `() => agent.atChannel`. */
  channel: () => AtChannel | undefined;
  /** The agent's MQTT link (commands in, notifications out through its durable outbox). */
  link: Pick<AgentLink, 'handleCommand' | 'sendEsimNotification' | 'whenAcknowledged'>;
  session?: LpaSessionHooks & {
    /**
     * Calls `listener` every time the data session comes online (e.g. from
     * `agent.onStateChange(c => c.to === 'online' && listener())`): pending notifications are
     * read then, after a reboot or a port loss. Returns an unsubscribe function.
     */
    onOnline?(listener: () => void): () => void;
  };
  clock: Clock;
  logger: Logger;
  config?: Partial<LpaServiceConfig>;
}

export interface AttachedLpa {
  readonly service: LpaService;
  /** Stops retry timers and the online subscription (the link's handlers stay registered). */
  stop(): void;
}

const switchResult = (outcome: SwitchOutcome): CommandOutcome => ({ status: outcome.ok ? 'ok' : 'error', result: { ...outcome } });

/**
 * Registers `enable-profile`, `disable-profile`, `delete-profile`, `list-profiles`,
 * `set-nickname`, `esim.download` and `esim.discover` on the link and starts notification delivery
 * and the automatic SM-DS discovery. Each command is answered with a
 * `CommandResult` (status `ok` / `error` and the LPA's outcome; an AT or card failure becomes
 * `error` with the `LpaError` code).
 */
export function attachLpa(options: AttachLpaOptions): AttachedLpa {
  const logger = childLogger(options.logger, { component: 'lpa' });
  const service = new LpaService({
    channel: options.channel,
    link: options.link,
    ...(options.session ? { session: options.session } : {}),
    clock: options.clock,
    logger,
    ...(options.config ? { config: options.config } : {}),
  });
  const { link } = options;
  link.handleCommand('enable-profile', async (c) => switchResult(await service.enable(c.iccid)));
  link.handleCommand('disable-profile', async (c) => switchResult(await service.disable(c.iccid)));
  link.handleCommand('delete-profile', async (c) => {
    const answer = await service.delete(c.iccid);
    return { status: answer.ok ? 'ok' : 'error', result: { ...answer, iccid: c.iccid } };
  });
  link.handleCommand('set-nickname', async (c) => {
    const answer = await service.setNickname(c.iccid, c.nickname);
    return { status: answer.ok ? 'ok' : 'error', result: { ...answer, iccid: c.iccid } };
  });
  link.handleCommand('esim.download', async (c) => {
    const outcome = await service.download({
      ...(c.activationCode ? { activationCode: c.activationCode } : {}),
      ...(c.confirmationCode ? { confirmationCode: c.confirmationCode } : {}),
      ...(c.enable ? { enable: true } : {}),
    });
    // The signed installation result travels as a notification, not in the command result.
    const { profileInstallationResult: _pir, ...result } = outcome;
    return { status: outcome.ok && (outcome.enabled?.ok ?? true) ? 'ok' : 'error', result: { ...result } };
  });
  link.handleCommand('esim.discover', async (c) => {
    const outcome = await service.discover({
      ...(c.smdsAddress ? { smdsAddress: c.smdsAddress } : {}),
      // The platform sends it to get the profiles onto the card: download unless told otherwise.
      download: c.download ?? true,
      ...(c.enable ? { enable: true } : {}),
    });
    const downloads = outcome.downloads.map(({ profileInstallationResult: _pir, ...d }) => d);
    return { status: outcome.ok && downloads.every((d) => d.enabled?.ok ?? true) ? 'ok' : 'error', result: { ...outcome, downloads } };
  });
  link.handleCommand('list-profiles', async () => {
    const [eid, profiles] = [await service.eid(), await service.listProfiles()];
    return { status: 'ok', result: { eid, profiles } };
  });
  const unsubscribe = options.session?.onOnline?.(() => {
    void service.deliverNotifications().catch(() => undefined);
    // SGP.22 §3.6.2: event retrieval at power-on, once the card and the network answer.
    void service.autoDiscover();
  });
  service.start();
  return {
    service,
    stop: () => {
      unsubscribe?.();
      service.stop();
    },
  };
}
