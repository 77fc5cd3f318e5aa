/**
 * Seed 000 "Transfer Timing Examples", verbatim: each row is driven through the support-assisted
 * transfer steps on a virtual clock (request → review and notice on the email date → reply →
 * scheduler), and the transfer date the rules produce must be the table's.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../common/clock.js';
import {
  cancelUnansweredSupportTransfer,
  executeSupportTransfer,
  replyToSupportTransfer,
  requestSupportTransfer,
  reviewSupportTransfer,
  supportTransferDueAt,
  type SupportTransfer,
} from './support-transfer.js';
import { DEST, SOURCE, operator, sim } from './test-fixtures.js';

const SEED_000_TIMING_TABLE = `Transfer Request Date | Email Sent Date | Reply Date | Transfer Date |
---|---|---|---|
May 9, 2025 | May 12, 2025 | May 15, 2025 | June 1, 2025 |
May 19, 2025 | May 22, 2025 | May 25, 2025 | June 1, 2025 |
May 19, 2025 | May 22, 2025 | May 27, 2025 | July 1, 2025 |
May 26, 2025 | May 28, 2025 | May 30, 2025 | July 1, 2025 |
May 19, 2025 | May 22, 2025 | (no reply) | Canceled |`;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "May 9, 2025" at the given UTC hour (the default business time zone is UTC). */
function at(cell: string, hour: number): number {
  const m = /^(\w+) (\d{1,2}), (\d{4})$/.exec(cell);
  if (!m) throw new Error(`not a date: ${cell}`);
  return Date.UTC(Number(m[3]), MONTHS.indexOf(m[1]!), Number(m[2]), hour);
}

const asTableDate = (t: number): string => {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
};

const rows = SEED_000_TIMING_TABLE.split('\n')
  .slice(2)
  .map((line) => line.split('|').map((c) => c.trim()).slice(0, 4) as [string, string, string, string]);

const dest = operator(DEST, 'dest@example.com');
const findOperator = (id: string) => (id === DEST ? dest : undefined);
const facts = { destination: dest, sourceHasOutstandingCharges: false, destinationHasOutstandingCharges: false, destinationGroupExists: true };

describe('seed 000 transfer timing table', () => {
  it('has the five rows of the seed', () => expect(rows).toHaveLength(5));

  it.each(rows)('requested %s, email sent %s, reply %s → %s', async (requestDate, emailDate, replyDate, expected) => {
    const clock = new VirtualClock(at(requestDate, 10));
    const sims = [sim('440100000000001', { status: 'active' })];
    const requested = requestSupportTransfer({
      id: 'str-1',
      sourceOperatorId: SOURCE,
      request: { simIds: [sims[0]!.simId!], destinationOperatorEmail: 'dest@example.com', destinationOperatorId: DEST },
      subscribers: sims,
      findOperator,
      now: clock.now(),
    });
    if (!requested.ok) throw new Error(requested.error.message);

    await clock.advanceTo(at(emailDate, 10));
    const reviewed = reviewSupportTransfer({ transfer: requested.value.transfer, subscribers: sims, facts, now: clock.now() });
    if (!reviewed.ok) throw new Error(reviewed.error.message);
    let transfer: SupportTransfer = reviewed.value.transfer;
    expect(asTableDate(transfer.noticeSentTime!)).toBe(emailDate);

    if (replyDate !== '(no reply)') {
      await clock.advanceTo(at(replyDate, 10));
      const replied = replyToSupportTransfer({ transfer, replierOperatorId: DEST, accept: true, now: clock.now() });
      if (!replied.ok) throw new Error(replied.error.message);
      transfer = replied.value.transfer;
    }

    // The scheduler: sleep until the next due time and run the step that is due.
    for (let due = supportTransferDueAt(transfer); due !== undefined; due = supportTransferDueAt(transfer)) {
      await clock.advanceTo(due);
      const cancelled = cancelUnansweredSupportTransfer({ transfer, now: clock.now() });
      if (cancelled) {
        transfer = cancelled.transfer;
        continue;
      }
      const executed = executeSupportTransfer({ transfer, subscribers: sims, now: clock.now() });
      if (!executed.ok) throw new Error(executed.error.message);
      transfer = executed.value.transfer;
    }

    const outcome = transfer.state === 'cancelled' ? 'Canceled' : asTableDate(transfer.endedTime!);
    expect(outcome).toBe(expected);
    if (expected !== 'Canceled') expect(transfer.state).toBe('completed');
  });
});
