/** Identifier formats of the platform (pure validators). */

export type CoverageType = 'g' | 'jp';
export const COVERAGE_TYPES: readonly CoverageType[] = ['g', 'jp'];

const IMSI = /^\d{15}$/;
const OPERATOR_ID = /^OP\d{10}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USER_NAME = /^[A-Za-z0-9@+=\-_.,]{1,100}$/;

export const isImsi = (s: string): boolean => IMSI.test(s);
export const isOperatorId = (s: string): boolean => OPERATOR_ID.test(s);
export const isEmail = (s: string): boolean => EMAIL.test(s) && s.length <= 254;
export const isUserName = (s: string): boolean => USER_NAME.test(s);
export const isCoverageType = (s: unknown): s is CoverageType => s === 'g' || s === 'jp';

/** `OP` + 10 digits made from caller-supplied random digits. */
export function operatorIdFromDigits(digits: string): string {
  if (!/^\d{10}$/.test(digits)) throw new Error('operatorIdFromDigits needs exactly 10 digits');
  return `OP${digits}`;
}
