// The console's entry: sign-in state, the navigation and the client-side routes under
// /console (docs/API.md "The web console").
import { ROOT, ELSEWHERE, signedIn, signIn, finishSignIn, signOut, who, forget } from './auth.js';
import { ApiError } from './api.js';
import { h, message } from './ui.js';
import { servicesPage, servicePage } from './services.js';
import { newClientPage } from './wizard.js';
import { clientPage } from './client.js';
import { usersPage, tenantsPage, auditPage } from './admin.js';

const routes = [
  [/^\/?$/, () => go('/services', true)],
  [/^\/services$/, servicesPage],
  [/^\/services\/([^/]+)$/, (id, main) => servicePage(id, 'clients', main)],
  [/^\/services\/([^/]+)\/(clients|tokens|audit|settings)$/, servicePage],
  [/^\/services\/([^/]+)\/new-client$/, newClientPage],
  [/^\/clients\/([^/]+)$/, (id, main) => clientPage(id, 'settings', main)],
  [/^\/clients\/([^/]+)\/(settings|secrets|test-token|audit)$/, clientPage],
  [/^\/users$/, usersPage],
  [/^\/tenants$/, tenantsPage],
  [/^\/audit$/, auditPage],
];

/** Navigates to a console path (relative to /console). */
export function go(path, replace = false) {
  history[replace ? 'replaceState' : 'pushState'](null, '', ROOT + path);
  render();
}

function nav() {
  const me = who();
  const here = location.pathname.slice(ROOT.length);
  const link = (path, text) => h('a', {
    href: ROOT + path,
    'aria-current': here.startsWith(path) || (path === '/services' && here.startsWith('/clients')) ? 'page' : null,
  }, text);
  const el = document.getElementById('nav');
  el.replaceChildren(h('ul',
    h('li', link('/services', 'Services')),
    h('li', link('/users', 'Users')),
    h('li', link('/audit', 'Audit')),
    me.platform ? h('li', link('/tenants', 'Tenants')) : null));
  const top = document.getElementById('top');
  top.replaceChildren(h('span.brand', 'Clavis console'),
    h('span.me', h('span', { title: me.roles.join(', ') }, `${me.name} · ${me.platform ? 'platform admin' : me.tenantAdmin ? 'tenant admin' : 'no admin role'}`),
      h('button.btn.btn-small', { type: 'button', on: { click: () => signOut() } }, 'Sign out')));
}

/** The page for a failure that ends a page: 401 offers signing in again. */
export function failure(main, e) {
  const box = h('div.msg');
  message(box, e.message, 'error');
  main.replaceChildren(h('h1', 'Something went wrong'), box);
  if (e instanceof ApiError && e.status === 401) {
    forget();
    main.append(h('button.btn.btn-primary', { type: 'button', on: { click: () => signIn() } }, 'Sign in again'));
  } else {
    main.append(h('button.btn', { type: 'button', on: { click: () => render() } }, 'Try again'));
  }
}

function signedOutPage(main, text) {
  document.getElementById('nav').replaceChildren();
  document.getElementById('top').replaceChildren(h('span.brand', 'Clavis console'));
  main.replaceChildren(h('h1', 'Clavis console'), h('p', text),
    h('button.btn.btn-primary', { type: 'button', on: { click: () => signIn(`${ROOT}/`) } }, 'Sign in'));
}

export async function render() {
  const main = document.getElementById('main');
  if (ELSEWHERE) return undefined; // on the way to the issuer's origin (auth.js)
  const path = location.pathname.slice(ROOT.length) || '/';
  if (path === '/callback') {
    try {
      const back = await finishSignIn();
      history.replaceState(null, '', back);
      return render();
    } catch (e) {
      signedOutPage(main, `Sign-in did not complete: ${e.message}`);
      return undefined;
    }
  }
  if (!signedIn()) {
    if (new URLSearchParams(location.search).get('state') === 'signed-out') {
      signedOutPage(main, 'You are signed out.');
      return undefined;
    }
    return signIn();
  }
  nav();
  for (const [re, page] of routes) {
    const m = re.exec(path);
    if (!m) continue;
    main.replaceChildren(h('p.loading', { role: 'status' }, 'Loading…'));
    try {
      await page(...m.slice(1).map(decodeURIComponent), main);
    } catch (e) {
      failure(main, e);
    }
    const title = main.querySelector('h1')?.textContent;
    document.title = title ? `${title} · Clavis console` : 'Clavis console';
    return undefined;
  }
  main.replaceChildren(h('h1', 'Not found'), h('p', 'No console page has this address. '),
    h('a', { href: `${ROOT}/services` }, 'Go to the services'));
  return undefined;
}

// Links inside the console navigate without reloading; focus moves to the new page.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[href]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || a.target) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(`${ROOT}/`) || url.pathname.startsWith(`${ROOT}/assets/`)) return;
  ev.preventDefault();
  history.pushState(null, '', url.pathname + url.search);
  render().then(() => document.getElementById('main').focus());
});
window.addEventListener('popstate', () => render());
// a 401 that renewal could not cure, from any page or part of one
window.addEventListener('clavis:session-ended', (ev) => {
  const main = document.getElementById('main');
  failure(main, new ApiError(401, ev.detail));
  main.focus();
});
render();
