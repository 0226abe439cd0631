// A tiny cookie-keeping HTTP client over fetch: real HTTP against the test
// server, like a browser without JavaScript. It remembers the last CSRF token
// it saw in a page so form posts look like a real form submission.
export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export class HttpClient {
  private cookies = new Map<string, string>();
  csrfToken: string | null = null;

  constructor(readonly baseUrl: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  clearCookies(): void {
    this.cookies.clear();
  }

  async request(method: string, path: string, init: { body?: string | FormData; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      redirect: "manual",
      body: init.body,
      headers: { ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}), ...init.headers },
    });
    for (const line of response.headers.getSetCookie()) this.storeCookie(line);
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrfToken = token;
    return { status: response.status, headers: response.headers, text, location: response.headers.get("location") };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.request("GET", path, { headers });
  }

  // Posts a form with the CSRF token from the last page (fetching `tokenFrom` first when none is known).
  async post(path: string, fields: Record<string, string>, options: { htmx?: boolean; headers?: Record<string, string>; csrf?: string | null } = {}) {
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    const body = new URLSearchParams({ ...(csrf ? { _csrf: csrf } : {}), ...fields }).toString();
    return this.request("POST", path, {
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(options.htmx ? { "hx-request": "true" } : {}),
        ...options.headers,
      },
    });
  }

  // Posts multipart/form-data like a form with enctype="multipart/form-data":
  // the CSRF token first (as browsers send fields in document order), then the
  // parts in the given order. fetch sets the boundary in the Content-Type.
  async postMultipart(
    path: string,
    parts: Array<[name: string, value: string | Blob, filename?: string]>,
    options: { htmx?: boolean; headers?: Record<string, string>; csrf?: string | null } = {},
  ) {
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    const form = new FormData();
    if (csrf) form.append("_csrf", csrf);
    for (const [name, value, filename] of parts) {
      if (typeof value === "string") form.append(name, value);
      else form.append(name, value, filename ?? "upload");
    }
    return this.request("POST", path, { body: form, headers: { ...(options.htmx ? { "hx-request": "true" } : {}), ...options.headers } });
  }

  // GET a page (to pick up its CSRF token), then post its form.
  async submit(pagePath: string, actionPath: string, fields: Record<string, string>, options: { htmx?: boolean; headers?: Record<string, string> } = {}) {
    await this.get(pagePath);
    return this.post(actionPath, fields, options);
  }

  private storeCookie(line: string): void {
    const [pair, ...attributes] = line.split(";");
    const index = pair!.indexOf("=");
    const name = pair!.slice(0, index).trim();
    const value = pair!.slice(index + 1).trim();
    const expired = attributes.some((attribute) => /^\s*expires=Thu, 01 Jan 1970/i.test(attribute)) || value === "";
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

// The server-side session id inside the signed cookie ("s:<id>.<signature>").
export function sessionIdOf(client: HttpClient, cookieName = "latchkey.sid"): string {
  const raw = client.cookie(cookieName);
  if (!raw) throw new Error("no session cookie");
  const value = decodeURIComponent(raw);
  return value.slice(2, value.lastIndexOf("."));
}
