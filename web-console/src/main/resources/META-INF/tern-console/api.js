// The console's only way to the control plane: its public REST API, with the session cookie the
// login set. Requests that change something repeat the session's CSRF token in a header. Every
// failure becomes an ApiError whose message says in words what went wrong.

const CSRF_KEY = 'tern.csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Roles from weakest to strongest; a role may do what any weaker one may. */
export const ROLES = ['viewer', 'operator', 'admin'];

export function roleCovers(role, needed) {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * One API call. A body is sent as JSON, or as it is when a content type is given (a policy's
 * YAML is sent as application/yaml).
 */
export async function request(method, path, body, contentType) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
  }
  if (!SAFE_METHODS.has(method)) {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) {
      headers['X-CSRF-Token'] = csrf;
    }
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || contentType ? body : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, `The control plane did not answer ${method} ${path}: ${e.message}`);
  }
  if (!response.ok) {
    throw new ApiError(response.status, await describe(response, method, path));
  }
  return response.status === 204 ? null : response.json();
}

/** The problem+json detail or title, else the status line and the start of the body. */
async function describe(response, method, path) {
  const text = await response.text();
  try {
    const problem = JSON.parse(text);
    const words = problem.detail || problem.title;
    if (words) {
      return words;
    }
  } catch {
    // Not JSON: fall through to the status line.
  }
  const excerpt = text ? `: ${text.slice(0, 200)}` : '';
  return `${method} ${path} failed with ${response.status} ${response.statusText}${excerpt}`;
}

export const get = (path) => request('GET', path);

export async function logIn(username, password) {
  const session = await request('POST', '/api/v1/session', { username, password });
  sessionStorage.setItem(CSRF_KEY, session.csrfToken);
  return session;
}

export async function logOut() {
  try {
    await request('DELETE', '/api/v1/session');
  } finally {
    sessionStorage.removeItem(CSRF_KEY);
  }
}
