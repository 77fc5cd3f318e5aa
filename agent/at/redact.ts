/**
 * Commands whose arguments are secrets (PINs, PDP credentials, raw SIM access) or may carry
 * them. Their arguments never reach a log line or an error message.
 */
const SENSITIVE_COMMAND =
  /^(AT\s*)?[+$%#^*&]?(CPIN|CPIN2|CLCK|CPWD|CGAUTH|QICSGP|CNCFG|UPSD|UAUTHREQ|SGACT|CSIM|QSSLCFG|USECMNG|SAPBR|CSTT)\s*=/i;

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

/** Information responses that echo a credential back (`AT+QICSGP=1` → `+QICSGP: 1,"apn","user","pass",1`). */
const SENSITIVE_RESPONSE = /^\s*([+$%#^*&]?(CGAUTH|QICSGP|CNCFG|UPSD|UAUTHREQ|CSIM|QSSLCFG|USECMNG|SAPBR|CSTT))\s*:/i;

/**
 * A line from the modem safe to log: a late echo of a credential-bearing command, or an answer
 * that reads credentials back, keeps its name and loses the rest.
 */
export function redactLine(line: string): string {
  if (/^\s*AT/i.test(line)) return redactCommand(line.trim());
  const answer = SENSITIVE_RESPONSE.exec(line);
  return answer ? `${answer[1]}: <redacted>` : line;
}
