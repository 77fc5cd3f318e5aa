import { fail, ok, type Result } from './errors.js';

/** One statement of a SAM permission document. */
export interface PermissionStatement {
  effect: 'allow' | 'deny';
  api: '*' | string[];
}

export interface PermissionDocument {
  statements: PermissionStatement[];
}

/** API tags only the root user may call, whatever a SAM permission says (seed 004). */
export const ROOT_ONLY_TAGS: readonly string[] = ['Payment'];

const API_PATTERN = /^(\*|[A-Za-z]+:[A-Za-z0-9*]+|[A-Za-z]+\*?)$/;

/** Parses and checks a permission JSON string (`{"statements":[{effect, api}]}`). */
export function parsePermission(text: string): Result<PermissionDocument> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fail('USM0004', 'It is not valid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { statements?: unknown }).statements)) {
    return fail('USM0004', 'It needs a "statements" array.');
  }
  const statements: PermissionStatement[] = [];
  for (const raw of (doc as { statements: unknown[] }).statements) {
    if (typeof raw !== 'object' || raw === null) return fail('USM0004', 'A statement must be an object.');
    const { effect, api, ...rest } = raw as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return fail('USM0004', `Unsupported statement fields: ${Object.keys(rest).join(', ')}.`);
    if (effect !== 'allow' && effect !== 'deny') return fail('USM0004', 'effect must be "allow" or "deny".');
    const apis = api === '*' ? ['*'] : Array.isArray(api) ? api : null;
    if (!apis || apis.length === 0 || !apis.every((a) => typeof a === 'string' && API_PATTERN.test(a))) {
      return fail('USM0004', 'api must be "*" or a list of "Tag:operationId" patterns.');
    }
    statements.push({ effect, api: api === '*' ? '*' : (apis as string[]) });
  }
  return ok({ statements });
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

function matches(statement: PermissionStatement, api: string): boolean {
  if (statement.api === '*') return true;
  return statement.api.some((pattern) => globToRegExp(pattern).test(api));
}

/**
 * May a SAM user with `doc` call `api` (`Tag:operationId`)? Deny beats allow; nothing is allowed
 * by default; root-only tags are never allowed.
 */
export function isAllowed(doc: PermissionDocument | null, api: string): boolean {
  const tag = api.split(':')[0] ?? '';
  if (ROOT_ONLY_TAGS.includes(tag)) return false;
  if (!doc) return false;
  if (doc.statements.some((s) => s.effect === 'deny' && matches(s, api))) return false;
  return doc.statements.some((s) => s.effect === 'allow' && matches(s, api));
}
