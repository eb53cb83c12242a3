// Helpers for driving the web app with inject(): a tiny cookie jar and the CSRF token of a page.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export class Browser {
  private cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private absorb(res: LightMyRequestResponse): void {
    const raw = res.headers['set-cookie'];
    for (const c of [raw ?? []].flat()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Another browser holding a copy of this one's cookies (a second tab, or a stolen cookie). */
  copy(): Browser {
    const b = new Browser(this.app);
    b.cookies = new Map(this.cookies);
    return b;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string, accept = 'text/html'): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, headers: { accept, cookie: this.cookieHeader } });
    this.absorb(res);
    return res;
  }

  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method: 'POST', url, payload: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: this.cookieHeader, ...headers },
    });
    this.absorb(res);
    return res;
  }

  /** The CSRF token of the form on a page. */
  async csrf(url = '/login'): Promise<string> {
    const res = await this.get(url);
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (!m) throw new Error(`no CSRF token on ${url} (status ${res.statusCode})`);
    return m[1];
  }

  async signIn(username: string, password: string): Promise<LightMyRequestResponse> {
    const token = await this.csrf('/login');
    return this.post('/login', { username, password, _csrf: token });
  }
}
