/** Luhn check digit (ISO/IEC 7812-1), used by IMEIs (3GPP TS 23.003 §6.2.1) and ICCIDs (E.118). */
export function luhnDigit(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A consistent, valid IMEI / IMSI / ICCID triple for simulated device number `n`. */
export function simulatedIdentity(n: number): { imei: string; imsi: string; iccid: string } {
  const serial = String(n % 1_000_000).padStart(6, '0');
  const imeiBody = `35922109${serial}`;
  const iccidBody = `898110000000${String(n % 10_000_000).padStart(7, '0')}`;
  return {
    imei: imeiBody + luhnDigit(imeiBody),
    imsi: `44010${String(n % 10_000_000_000).padStart(10, '0')}`,
    iccid: iccidBody + luhnDigit(iccidBody),
  };
}
