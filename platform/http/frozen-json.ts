import type { FastifyReply } from 'fastify';

/**
 * A view's JSON text, remembered per frozen document: the store hands out the same deeply frozen
 * object to every reader until the data changes (`readDocument`, committed-documents.ts), so its
 * public JSON cannot change either and is built once instead of on every request. A document
 * that is not frozen (another adapter, a fresh read) is serialised every time.
 */
export function frozenJson<D extends object>(view: (doc: D) => unknown): (doc: D) => string {
  const texts = new WeakMap<D, string>();
  return (doc) => {
    let text = texts.get(doc);
    if (text === undefined) {
      text = JSON.stringify(view(doc));
      if (Object.isFrozen(doc)) texts.set(doc, text);
    }
    return text;
  };
}

/** Sends JSON text as fastify would send the object it came from (same content type). */
export function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.header('content-type', 'application/json; charset=utf-8').send(text);
}
