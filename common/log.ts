import { pino, symbols, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Fields that carry secrets anywhere in cellgate. pino censors them in every log line, at any of
 * the depths listed, so a credential never reaches a log file or journald.
 */
export const SECRET_FIELDS = [
  'password',
  'token',
  'apiKey',
  'authKey',
  'authKeySecret',
  'registrationSecret',
  'secret',
  'cardNumber',
  'cvc',
  'authorization',
  'x-soracom-token',
  'x-soracom-api-key',
  'mqttPassword',
  'currentPassword',
  'newPassword',
];

/**
 * A URL safe to log: a `user:password@` part (an MQTT or HTTP URL may carry one) is replaced;
 * pino's redaction censors fields by name and cannot see a secret inside a string.
 */
export function urlWithoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1[redacted]@');
}

const redactPaths = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

export interface LogOptions {
  /** Component name, e.g. `agent`, `platform`, `sim`. */
  name: string;
  level?: string;
  /** Defaults to stdout; tests pass a stream to capture lines. */
  destination?: DestinationStream;
}

/** A pino JSON logger with cellgate's secret redaction; `LOG_LEVEL` overrides the level. */
export function createLogger(options: LogOptions): Logger {
  const config: LoggerOptions = {
    name: options.name,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

const { chindingsSym } = symbols;

/**
 * A child logger whose bindings never repeat a key of its parent's. pino appends a child's
 * bindings to its parent's, so `child({ component: 'lpa' })` under a logger already bound to
 * `component` writes the key twice in every line (`"component":"lpa","component":"lpa"`), and
 * log processors disagree on which one they keep. Here a key bound to the same value is left
 * out, and a key bound to another value replaces the parent's in place: one key, the nearest
 * value. Every part that hands a logger down binds its fields through this.
 */
export function childLogger(parent: Logger, bindings: Record<string, unknown>): Logger {
  // A child of a logger that writes nothing would only cost memory (thousands of gateways × a
  // child per component).
  if (parent.level === 'silent') return parent;
  const bound = parent.bindings();
  const fresh: Record<string, unknown> = {};
  const replaced = new Set<string>();
  for (const [key, value] of Object.entries(bindings)) {
    if (value === undefined) continue;
    if (key in bound) {
      if (bound[key] === value) continue;
      replaced.add(key);
    }
    fresh[key] = value;
  }
  if (replaced.size === 0) return parent.child(fresh);
  // Rewrite the inherited bindings without the replaced keys, then bind the new values (through
  // pino, so serializers and redaction apply to them as to any binding).
  const child = parent.child({});
  const raw = child as unknown as Record<symbol, string | undefined>;
  const inherited = JSON.parse(`{${(raw[chindingsSym] ?? '').slice(1)}}`) as Record<string, unknown>;
  raw[chindingsSym] = Object.entries(inherited)
    .filter(([key]) => !replaced.has(key))
    .map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join('');
  child.setBindings(fresh);
  return child;
}

let silent: Logger | undefined;

/**
 * A logger that writes nothing: the default for library code and fast tests. One per process
 * (a fleet of 10 000 agents need not hold 10 000 of them); never change its level.
 */
export function silentLogger(): Logger {
  return (silent ??= pino({ level: 'silent' }));
}

