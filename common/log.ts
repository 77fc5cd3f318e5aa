import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

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

let silent: Logger | undefined;

/**
 * A logger that writes nothing: the default for library code and fast tests. One per process
 * (a fleet of 10 000 agents need not hold 10 000 of them); never change its level.
 */
export function silentLogger(): Logger {
  return (silent ??= pino({ level: 'silent' }));
}

/**
 * `logger.child(bindings)`, or `logger` itself when it writes nothing at all: a child of a silent
 * logger would only cost memory (thousands of gateways × a child per component).
 */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  return logger.level === 'silent' ? logger : logger.child(bindings);
}
