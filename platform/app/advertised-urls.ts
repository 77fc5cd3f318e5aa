import { networkInterfaces, hostname } from 'node:os';

/**
 * The address devices and API clients are told to use (in `POST /_cellgate/devices` answers and
 * what the CLI prints), which is not always the one a server binds: `0.0.0.0` is no address to
 * connect to, and `127.0.0.1` is useless to a gateway on the network.
 *
 * [choice] Unless configured (`--public-url`, `--public-mqtt-url`): a loopback bind advertises
 * loopback (nothing else can reach it anyway); a specific address advertises itself; a wildcard
 * bind (`0.0.0.0`, `::`) advertises this machine's first non-internal IPv4 address, or its host
 * name when it has none. A reverse proxy, NAT or DNS name needs the explicit setting.
 */
export function advertisedHost(bindHost: string, interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(), name: () => string = hostname): string {
  if (bindHost !== '0.0.0.0' && bindHost !== '::' && bindHost !== '') return bindHost;
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return name();
}

/** `scheme://host:port`, with an IPv6 host in brackets. */
export function urlOf(scheme: 'http' | 'mqtt', host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Whether `host` is a loopback address or name (then the advertised URL only works on this machine). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Checks a configured public URL: an absolute `http(s)://` or `mqtt(s)://` URL without credentials. */
export function checkPublicUrl(value: string, schemes: readonly string[], what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what} must be an absolute URL such as ${schemes[0]}://gateway.example:${schemes[0]!.startsWith('mqtt') ? 1883 : 8080}, got '${value}'`);
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) throw new Error(`${what} must use ${schemes.join(' or ')}, got '${value}'`);
  if (url.username || url.password) throw new Error(`${what} must not carry credentials`);
  return value.replace(/\/$/, '');
}
