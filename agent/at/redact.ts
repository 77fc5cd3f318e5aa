/**
 * Commands whose arguments are secrets (PINs, PDP credentials, raw SIM access) or may carry
 * them. Their arguments never reach a log line or an error message.
 */
const SENSITIVE_COMMAND =
  /^(AT\s*)?[+$%#^*&]?(CPIN|CPIN2|CLCK|CPWD|CGAUTH|QICSGP|CNCFG|UPSD|CSIM|QSSLCFG|USECMNG|SAPBR|CSTT)\s*=/i;

/**
 * The command text safe to log: credential-bearing commands keep their name and lose their
 * arguments (`AT+CGAUTH=<redacted>`); everything else is returned as is.
 */
export function redactCommand(text: string, sensitive = false): string {
  const eq = text.indexOf('=');
  if (eq < 0) return text;
  if (sensitive || SENSITIVE_COMMAND.test(text)) return `${text.slice(0, eq + 1)}<redacted>`;
  return text;
}
