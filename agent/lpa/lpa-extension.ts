/**
 * The LPA as an agent extension: joins once the platform link exists, takes the platform's eSIM
 * commands, delivers the eUICC's notifications through the durable outbox, and asks the session
 * machine for a re-attach after a profile switch (new IMSI / ICCID).
 */
import type { AgentExtension } from '../extension.js';
import { attachLpa } from './attach-lpa.js';
import type { LpaServiceConfig } from './service.js';

export function lpaExtension(config: LpaServiceConfig): AgentExtension {
  return {
    name: 'lpa',
    start({ driver, link, clock, logger }) {
      // Without a link there is nobody to take commands from or deliver notifications to;
      // `cellgate lpa` serves a bench technician then.
      if (!link) return undefined;
      const attached = attachLpa({
        channel: () => driver.atChannel,
        link,
        session: {
          // Delivery runs once the modem answers (identified, before the SIM step: an eUICC with
          // no enabled profile never brings the session online) and whenever the session is online.
          onOnline: (listener) => driver.onStateChange((change) => (change.to === 'online' || (change.from === 'identifying' && change.to === 'sim-wait')) && listener()),
          // A profile switch changes the IMSI: re-identify and register from the SIM step on.
          reattach: () => void driver.requestReconnect('resync'),
        },
        clock,
        logger,
        config,
      });
      return () => attached.stop();
    },
  };
}
