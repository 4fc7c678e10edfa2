// A small stand-in for a browser in the end-user flow tests: it keeps cookies (by name,
// honouring Max-Age=0 deletions), never follows redirects (the tests read Location), and
// reads the sign-in form of a page the way a browser would submit it.

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescapeHtml = (s) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]);

/** The first form of an HTML page: {action, method, fields: {name: value}}. */
export function parseForm(html) {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form in the page:\n${html.slice(0, 500)}`);
  const attr = (tag, name) => {
    const m = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag);
    return m ? unescapeHtml(m[1]) : undefined;
  };
  const fields = {};
  for (const m of form[2].matchAll(/<input\b([^>]*)>/gi)) {
    const name = attr(m[1], 'name');
    if (name !== undefined) fields[name] = attr(m[1], 'value') ?? '';
  }
  return { action: attr(form[1], 'action'), method: attr(form[1], 'method'), fields };
}

export class Browser {
  constructor() {
    this.cookies = new Map();
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keep(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const maxAge = attrs.find((a) => /^max-age=/i.test(a));
      if (value === '' || (maxAge && Number(maxAge.split('=')[1]) <= 0)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async fetch(url, { method = 'GET', headers = {}, body } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.Cookie = this.cookieHeader();
    const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
    this.keep(res);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
  }

  get(url) {
    return this.fetch(String(url));
  }

  /** Submits fields as application/x-www-form-urlencoded, like a browser's form post. */
  post(url, fields) {
    return this.fetch(String(url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}
