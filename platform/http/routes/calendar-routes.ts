import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { calendarOf } from '../../app/support-transfers.js';
import { civilDateAt, formatCivilDate } from '../../domain/transfer/business-calendar.js';

const DATE = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' };

/**
 * `GET /_cellgate/business_calendar?from&to`: the business calendar of the request's coverage
 * type — its time zone and the holidays between `from` and `to` (default: this year in that
 * zone), so a tester can see which days count as business days (docs/transfers-and-esim.md).
 */
export function registerCalendarRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.get(
    '/_cellgate/business_calendar',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { from: DATE, to: DATE } } }, config: { spec: { operationId: 'getCellgateBusinessCalendar', tag: 'Cellgate' } } },
    async (request) => {
      const calendar = calendarOf(ctx, request.coverageType);
      const year = civilDateAt(ctx.clock.now(), calendar.timeZone).year;
      const q = request.query as { from?: string; to?: string };
      const from = q.from ?? formatCivilDate({ year, month: 1, day: 1 });
      const to = q.to ?? formatCivilDate({ year, month: 12, day: 31 });
      const holidays = [...calendar.holidays].filter((d) => d >= from && d <= to).sort();
      return { coverageType: request.coverageType, timeZone: calendar.timeZone, from, to, holidays, today: formatCivilDate(civilDateAt(ctx.clock.now(), calendar.timeZone)) };
    },
  );
}
