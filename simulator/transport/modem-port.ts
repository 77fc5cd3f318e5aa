/**
 * The byte-level face of a simulated modem that transports need: bytes in, bytes out, and
 * whether the device currently exists (USB re-enumeration makes it vanish and come back).
 */
export interface ModemPort {
  write(data: Uint8Array | string): void;
  onOutput(listener: (chunk: Buffer) => void): () => void;
  readonly portPresent: boolean;
  onPortChange(listener: (present: boolean) => void): () => void;
  /** For port listings (`list()`): who made it and its serial number. */
  readonly description: { manufacturer: string; serialNumber: string };
}
