/**
 * A server that could not start listening, said the way a person at a console needs it: which
 * server, which address, and what to do — not a bare `listen EADDRINUSE` with a stack trace.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    /** `HTTP API`, `MQTT broker`, `health endpoint`. */
    readonly server: string,
    readonly host: string,
    readonly port: number,
    /** The system error code (`EADDRINUSE`, `EACCES`, …). */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${server} cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${explain(code, port, options?.cause)}`, options);
  }
}

function explain(code: string | undefined, port: number, cause: unknown): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'the port is already in use (another cellgate, Mosquitto, …?): stop it or choose another port';
    case 'EACCES':
      return port < 1024 ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : 'permission denied';
    case 'EADDRNOTAVAIL':
      return 'no network interface has that address';
    default:
      return cause instanceof Error ? cause.message : String(cause);
  }
}

/** Wraps a listen failure (anything with a `code`) as a `ListenError`. */
export function listenError(server: string, host: string, port: number, error: unknown): ListenError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
  return new ListenError(server, host, port, code, { cause: error });
}

/**
 * Whether `host:port` can be listened on now: listens and closes at once, so a command can
 * refuse a taken port within a second of starting instead of after loading and opening
 * everything else. The real listen still reports a port taken in between.
 */
export async function checkPortFree(server: string, host: string, port: number): Promise<void> {
  if (port === 0) return;
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(listenError(server, host, port, error)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
