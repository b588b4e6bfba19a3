/**
 * The api answers bad input with `{statusCode, message: string | string[], error}`; messages start with the field
 * they are about ("plate must be a string", "parentId: a grid zone cannot…", "property foo should not exist").
 * react-admin shows server-side validation on the fields when the rejected error has `body.errors` shaped like the
 * form values, with `root.serverError` for what belongs to no field.
 */
export type FieldErrors = { [k: string]: string | FieldErrors };

const VERBS =
  "(?:must|should|has|is|cannot|can't|may|already|does|not|contains|needs|lies|ends|starts|overlaps|exceeds)";
const PATH = '([A-Za-z_]\\w*(?:\\.\\w+)*)';
/** "plate must be…", "parentId: a grid zone…" */
const FIELD_RE = new RegExp(`^${PATH}(?::\\s*|\\s+(?=${VERBS}\\b))`);
/** "plate "粤A1" is already registered", "serviceLine greening is not…": the field, a value, then the verb. */
const FIELD_VALUE_RE = new RegExp(`^${PATH}\\s+("[^"]*"|\\S+)\\s+(?=${VERBS}\\b)`);
const PROPERTY_RE = /^property ([\w.]+) should not exist/;

export function fieldOf(message: string): string | null {
  const p = PROPERTY_RE.exec(message);
  if (p) return p[1];
  const m = FIELD_RE.exec(message);
  if (m) return m[1];
  const v = FIELD_VALUE_RE.exec(message);
  // A lower-case word before an unquoted value is a sentence ("contract c1 not found"), not a field.
  if (v && (/[A-Z.]/.test(v[1]) || v[2].startsWith('"'))) return v[1];
  return null;
}

function setPath(target: FieldErrors, path: string, message: string) {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object') node = next;
    else {
      const created: FieldErrors = {};
      node[part] = created;
      node = created;
    }
  }
  const last = parts[parts.length - 1];
  const prev = node[last];
  node[last] = typeof prev === 'string' ? `${prev}; ${message}` : message;
}

export function toFieldErrors(messages: string | string[] | undefined, knownFields?: string[]): FieldErrors {
  const list = messages === undefined ? [] : Array.isArray(messages) ? messages : [messages];
  const out: FieldErrors = {};
  const root: string[] = [];
  for (const msg of list) {
    const field = fieldOf(msg);
    const top = field?.split('.')[0];
    if (field && (!knownFields || knownFields.includes(top!))) setPath(out, field, msg);
    else root.push(msg);
  }
  if (root.length) out.root = { serverError: root.join('; ') };
  return out;
}

/** The error the data provider rejects with: react-admin reads `status`, `message` and `body.errors`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: {
      message?: string | string[];
      error?: string;
      errors?: FieldErrors;
      [k: string]: unknown;
    },
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function apiErrorOf(status: number, body: unknown, fallback: string): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    message?: string | string[];
    error?: string;
  };
  const messages = b.message;
  const text = Array.isArray(messages) ? messages.join('; ') : (messages ?? b.error ?? fallback);
  const errors = status === 400 || status === 409 || status === 422 ? toFieldErrors(messages) : undefined;
  return new ApiError(text, status, { ...b, ...(errors ? { errors } : {}) });
}

/** Re-maps an error's field messages to the fields a form has; messages about other fields go to the root error. */
export function forFields(e: unknown, fields: string[]): unknown {
  if (!(e instanceof ApiError) || !e.body.errors) return e;
  return new ApiError(e.message, e.status, { ...e.body, errors: toFieldErrors(e.body.message, fields) });
}
