// The admin API (docs/API.md) with the signed-in user's access token. Failures become
// ApiError with a message a person can act on: network down, 401 (sign in again), 403 (the
// role that is missing), 412 (changed meanwhile), and the problem+json field errors.
import { accessToken, renew, ISSUER } from './auth.js';

export class ApiError extends Error {
  constructor(status, message, { errors = [], problem = null } = {}) {
    super(message);
    this.status = status;
    this.errors = errors; // [{field, message}]
    this.problem = problem;
  }
}

function explain(status, problem) {
  const detail = problem?.detail ?? '';
  if (status === 401) return 'Your session has ended. Sign in again to continue.';
  if (status === 403) {
    return `Not allowed: ${detail || 'your role does not permit this'}. ` +
      'This needs the platform_admin role, or tenant_admin for your own tenant.';
  }
  if (status === 404) return detail || 'Not found: it may have been deleted or purged.';
  if (status === 412) return 'Someone changed this since you opened it.';
  if (status === 503) return 'The server is temporarily unavailable (its database cannot be reached). Try again shortly.';
  if (status >= 500) return `The server failed (${status}). Try again; if it persists, see the server log.`;
  return detail || `Request failed (${status})`;
}

/** Tells the app (app.js) that the session is over, whichever page asked. */
function sessionEnded() {
  window.dispatchEvent(new CustomEvent('clavis:session-ended', { detail: explain(401) }));
}

/** Calls the admin API; resolves {body, headers} or throws ApiError. */
export async function api(method, path, body, { headers = {} } = {}) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const token = await accessToken();
    if (!token) {
      sessionEnded();
      throw new ApiError(401, explain(401));
    }
    const h = { Authorization: `Bearer ${token}`, ...headers };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(`${ISSUER}/admin/v1${path}`, {
        method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'Cannot reach the server: check your network connection and that Clavis is running.');
    }
    if (res.status === 401 && attempt === 0 && await renew()) continue;
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (res.status === 401) sessionEnded();
    if (!res.ok) throw new ApiError(res.status, explain(res.status, json), { errors: json?.errors ?? [], problem: json });
    return { body: json, headers: res.headers };
  }
  throw new ApiError(401, explain(401));
}

/** A query string of the defined, non-empty values. */
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
