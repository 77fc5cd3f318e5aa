import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Marks a list answer as one page of more (reference "paging"): the key to pass as
 * `last_evaluated_key` in `x-soracom-next-key`, and the whole next-page URL in a `link` header
 * `<…>; rel=next` (RFC 8288) — the request's own URL with `last_evaluated_key` replaced, every
 * other query parameter kept. [choice] The URL is absolute, built from the request's Host header.
 */
export function setNextPage(request: FastifyRequest, reply: FastifyReply, nextKey: string | null | undefined): void {
  if (nextKey === null || nextKey === undefined || nextKey === '') return;
  const url = new URL(request.url, `${request.protocol}://${request.host || 'localhost'}`);
  url.searchParams.set('last_evaluated_key', nextKey);
  reply.header('x-soracom-next-key', nextKey);
  reply.header('link', `<${url.href}>; rel=next`);
}
