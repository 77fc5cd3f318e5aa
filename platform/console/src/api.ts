/**
 * The console's only way to the platform: the same HTTP API and credentials the CLI uses
 * (docs/api.md). The API key and token live in sessionStorage (gone when the tab closes) and
 * travel in headers, never in a URL.
 */

export type Coverage = 'g' | 'jp';

export interface Session {
  apiKey: string;
  token: string;
  operatorId: string;
  /** Null for the root user. */
  userName: string | null;
  /** What the user typed to log in (shown in the header). */
  loginName: string;
  coverage: Coverage;
}

/** A refusal of the API, with the platform's code and its words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A refusal as a person reads it: the platform's message, then its code. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return `The platform could not be reached: ${error.message}`;
  return String(error);
}

const STORAGE_KEY = 'cellgate.console.session';

export function loadSession(): Session | null {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

export type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { code?: string; message?: string };
    return new ApiError(res.status, body.code ?? `HTTP${res.status}`, body.message ?? res.statusText);
  } catch {
    return new ApiError(res.status, `HTTP${res.status}`, res.statusText || 'The platform answered with an error.');
  }
}

/** `POST /v1/auth` for a root user (email) or a SAM user (operator id + user name). */
export async function logIn(
  credentials: { email: string; password: string } | { operatorId: string; userName: string; password: string },
  coverage: Coverage,
): Promise<Session> {
  const res = await fetch('/v1/auth', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  if (!res.ok) throw await errorOf(res);
  const body = (await res.json()) as { apiKey: string; token: string; operatorId: string; userName?: string };
  const loginName = 'email' in credentials ? credentials.email : credentials.userName;
  return { apiKey: body.apiKey, token: body.token, operatorId: body.operatorId, userName: body.userName ?? null, loginName, coverage };
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
}

export class Api {
  constructor(
    readonly session: Session,
    /** Called when the platform says the token is no longer good (expired, logged out). */
    private readonly onUnauthenticated: () => void,
  ) {}

  headers(extra?: Record<string, string>): Record<string, string> {
    return { 'x-soracom-api-key': this.session.apiKey, 'x-soracom-token': this.session.token, 'x-cellgate-coverage': this.session.coverage, ...extra };
  }

  async request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<ApiResponse<T>> {
    const headers = this.headers(options.body !== undefined ? { 'content-type': 'application/json' } : undefined);
    const res = await fetch(withQuery(path, options.query), { method, headers, body: options.body !== undefined ? JSON.stringify(options.body) : null });
    if (!res.ok) {
      const error = await errorOf(res);
      if (res.status === 401) this.onUnauthenticated();
      throw error;
    }
    const text = await res.text();
    return { data: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.request<T>('GET', path, { query })).data;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await this.request<T>('POST', path, { body: body ?? {} })).data;
  }

  async put<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('PUT', path, { body })).data;
  }

  async delete(path: string): Promise<void> {
    await this.request('DELETE', path);
  }

  /** Downloads a file the API serves (the CSVs) with the caller's credentials, as `name`. */
  async download(path: string, name: string): Promise<void> {
    const res = await fetch(path, { headers: this.headers() });
    if (!res.ok) throw await errorOf(res);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  logOut(): Promise<void> {
    return this.request('POST', '/v1/auth/logout').then(() => undefined);
  }
}

/** Milliseconds since the epoch as the console shows times: UTC, to the second. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}
