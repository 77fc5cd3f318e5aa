/**
 * The SMS wake-up channel as an agent extension (off by default: config `sms: on`). It takes the
 * AT channel whenever the module answers (identified) and keeps working while the data session or
 * the MQTT link is down; events go through the link's outbox when there is one.
 */
import type { AgentExtension } from '../extension.js';
import { toStatusFields } from '../link-bridge.js';
import { OutboxFullError } from '../link/outbox.js';
import { SmsInbox, type SmsInboxConfig } from './sms-inbox.js';

export function smsExtension(config: SmsInboxConfig): AgentExtension {
  return {
    name: 'sms',
    start({ driver, link, logger }) {
      const inbox = new SmsInbox(
        config,
        {
          reconnect: () => driver.requestReconnect('reactivate'),
          refreshStatus: async () => {
            await driver.refreshSignal();
            link?.updateStatus(toStatusFields(driver.status(), driver.settings.apn.apn));
          },
          event: (type, data, key) => {
            logger.info({ type, from: data.from, command: data.command, reason: data.reason }, 'short message handled');
            try {
              link?.emitEvent(type, data, { key });
            } catch (error) {
              if (error instanceof OutboxFullError) logger.warn({ type }, 'SMS event not recorded: outbox full');
              else throw error;
            }
          },
        },
        logger,
      );
      const take = (): void => {
        const channel = driver.atChannel;
        if (channel?.isOpen) void inbox.attach(channel);
      };
      // The module answers from `identifying` on; after a port loss it is a new channel.
      const off = driver.onStateChange((change) => {
        if (change.from === 'identifying' || change.to === 'online') take();
        if (change.to === 'opening-port') inbox.detach();
      });
      take();
      return async () => {
        off();
        inbox.detach();
        await inbox.idle();
      };
    },
  };
}
