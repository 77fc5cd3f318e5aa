/**
 * The agent's SMS wake-up channel (docs/sms.md): reads and deletes the module's short messages,
 * reassembles concatenated ones, accepts commands only from allowed senders, and maps them onto the
 * agent's own commands — `reconnect` and `refresh-status` — so a device whose MQTT link is down
 * can still be told to rebuild its data session. Every message leaves an event.
 *
 * Messages are deleted from the module once handled (a long one once all its parts arrived), so a
 * restart re-reads whatever was not handled yet (`AT+CMGL=4` at start).
 */
import { createHash } from 'node:crypto';
import { SmsPduError, decodeDeliver, type SmsDeliver } from '../../common/sms/pdu.js';
import type { Logger } from '../../common/log.js';
import type { AtChannel } from '../at/index.js';
import { deleteMessage, listMessages, parseCmti, pduMode, readMessage, selectMemory, storeAndIndicate, type StoredPdu } from './sms-commands.js';

export interface SmsInboxConfig {
  /** Senders whose commands are carried out (digits, `+` optional; compared without it). */
  allowedSenders: readonly string[];
  /** The platform's short code; always allowed. */
  platformSender: string;
}

/** What the inbox does with an accepted command, and how it reports what happened. */
export interface SmsInboxActions {
  reconnect(): boolean;
  refreshStatus(): Promise<void>;
  /** An event for the platform (through the link's outbox); `key` deduplicates a re-read message. */
  event(type: 'sms.command' | 'sms.rejected', data: Record<string, unknown>, key: string): void;
}

export const SMS_COMMANDS = ['reconnect', 'refresh-status'] as const;
export type SmsCommand = (typeof SMS_COMMANDS)[number];

/** [choice] Words a message may hold, case and surrounding space ignored: the agent's command names, and `refresh`. */
export function smsCommandOf(text: string): SmsCommand | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'reconnect') return 'reconnect';
  if (t === 'refresh-status' || t === 'refresh') return 'refresh-status';
  return undefined;
}

const digits = (n: string): string => n.replace(/^\+/, '');

interface Received {
  index: number;
  memory: string | undefined;
  message: SmsDeliver;
}

export class SmsInbox {
  /** Parts of long messages waiting for the rest, by originator + reference. */
  private readonly partial = new Map<string, Received[]>();
  private work: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private channel: AtChannel | undefined;
  /** The `+CPMS` memory last selected on this channel (unknown after attach). */
  private selected: string | undefined;

  constructor(
    private readonly config: SmsInboxConfig,
    private readonly actions: SmsInboxActions,
    private readonly logger: Logger,
  ) {}

  /** Takes a (new) channel: PDU mode, `+CMTI` indications, then whatever is stored already. */
  attach(channel: AtChannel): Promise<void> {
    if (channel === this.channel) return this.work;
    this.detach();
    this.channel = channel;
    this.selected = undefined;
    this.unsubscribe = channel.onUrc('+CMTI', (urc) => {
      const where = parseCmti(urc.args);
      if (where) this.enqueue(() => this.readOne(channel, where.memory, where.index));
    });
    this.partial.clear();
    return this.enqueue(async () => {
      await channel.send(pduMode());
      await channel.send(storeAndIndicate());
      const stored = await channel.send(listMessages());
      for (const s of stored) await this.handle(channel, s, undefined);
    });
  }

  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.channel = undefined;
  }

  /** Resolves once queued reads are done (tests, shutdown). */
  idle(): Promise<void> {
    return this.work;
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.work = this.work.then(job).catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, 'SMS handling failed; the message stays on the module'));
    return this.work;
  }

  private async readOne(channel: AtChannel, memory: string, index: number): Promise<void> {
    await this.select(channel, memory);
    const pdu = await channel.send(readMessage(index));
    if (pdu) await this.handle(channel, { index, pdu }, memory);
  }

  private async select(channel: AtChannel, memory: string): Promise<void> {
    if (this.selected === memory) return;
    await channel.send(selectMemory(memory));
    this.selected = memory;
  }

  private async handle(channel: AtChannel, stored: StoredPdu, memory: string | undefined): Promise<void> {
    let message: SmsDeliver;
    try {
      message = decodeDeliver(stored.pdu);
    } catch (error) {
      if (!(error instanceof SmsPduError)) throw error;
      // Not a message this agent can read (a status report, a broken PDU): it would never become one.
      this.logger.warn({ index: stored.index, err: error.message }, 'unreadable SMS deleted');
      await channel.send(deleteMessage(stored.index));
      return;
    }
    const received: Received = { index: stored.index, memory, message };
    const key = `${message.originator}:${message.timestamp}:${createHash('sha256').update(message.text).digest('hex').slice(0, 12)}`;
    if (!message.concat) return this.complete(channel, [received], key);
    const group = `${message.originator}:${message.concat.ref}:${message.concat.total}`;
    const parts = (this.partial.get(group) ?? []).filter((p) => p.message.concat!.seq !== message.concat!.seq);
    parts.push(received);
    if (parts.length < message.concat.total) {
      this.partial.set(group, parts);
      return;
    }
    this.partial.delete(group);
    parts.sort((a, b) => a.message.concat!.seq - b.message.concat!.seq);
    await this.complete(channel, parts, `${group}:${parts[0]!.message.timestamp}`);
  }

  private async complete(channel: AtChannel, parts: Received[], key: string): Promise<void> {
    const from = parts[0]!.message.originator;
    const text = parts.map((p) => p.message.text).join('');
    const allowed = digits(from) === digits(this.config.platformSender) || this.config.allowedSenders.some((s) => digits(s) === digits(from));
    const command = smsCommandOf(text);
    const base = { from, parts: parts.length, receivedAt: parts[0]!.message.timestamp };
    if (!allowed) {
      // The text of a stranger's message is not repeated in logs or events.
      this.actions.event('sms.rejected', { ...base, reason: 'sender-not-allowed' }, `sms:${key}`);
    } else if (!command) {
      this.actions.event('sms.rejected', { ...base, reason: 'unknown-command', text: text.slice(0, 160) }, `sms:${key}`);
    } else {
      let outcome: string;
      if (command === 'reconnect') outcome = this.actions.reconnect() ? 'requested' : 'refused';
      else {
        await this.actions.refreshStatus();
        outcome = 'done';
      }
      this.actions.event('sms.command', { ...base, command, outcome }, `sms:${key}`);
    }
    for (const p of parts) {
      if (p.memory) await this.select(channel, p.memory);
      await channel.send(deleteMessage(p.index));
    }
  }
}
