// The console's entry: sign-in state, the navigation and the client-side routes under
// /console (docs/API.md "The web console").
import { ROOT, ELSEWHERE, signedIn, signIn, finishSignIn, signOut, who, forget, chosenTenant, chooseTenant, LINKED, LINKED_NAME } from './auth.js';
import { ApiError } from './api.js';
import { h, message, field } from './ui.js';
import { servicesPage, servicePage } from './services.js';
import { newClientPage } from './wizard.js';
import { clientPage } from './client.js';
import { usersPage, userPage, tenantsPage, auditPage } from './admin.js';
import { tenantPage, keysPage, tenantName } from './tenant.js';

const routes = [
  [/^\/?$/, () => go('/services', true)],
  [/^\/services$/, servicesPage],
  [/^\/services\/([^/]+)$/, (id, main) => servicePage(id, 'clients', main)],
  [/^\/services\/([^/]+)\/(clients|resources|tokens|audit|settings)$/, servicePage],
  [/^\/services\/([^/]+)\/new-client$/, newClientPage],
  [/^\/clients\/([^/]+)$/, (id, main) => clientPage(id, 'settings', main)],
  [/^\/clients\/([^/]+)\/(settings|secrets|test-token|audit)$/, clientPage],
  [/^\/users$/, usersPage],
  [/^\/users\/([^/]+)$/, userPage],
  [/^\/tenants$/, tenantsPage],
  [/^\/tenants\/([^/]+)$/, tenantPage],
  [/^\/keys$/, keysPage],
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
  const mine = `/tenants/${me.tenant}`;
  const link = (path, text) => h('a', {
    href: ROOT + path,
    'aria-current': (path === '/tenants' ? here === path : here.startsWith(path)) || (path === '/services' && here.startsWith('/clients')) ? 'page' : null,
  }, text);
  const el = document.getElementById('nav');
  el.replaceChildren(h('ul',
    h('li', link('/services', 'Services')),
    h('li', link('/users', 'Users')),
    h('li', link('/audit', 'Audit')),
    me.tenant ? h('li', link(mine, 'Tenant settings')) : null,
    me.platform ? h('li', link('/tenants', 'Tenants')) : null,
    me.platform ? h('li', link('/keys', 'Signing keys')) : null));
  const tenant = h('span.tenant', { title: me.tenant }, `Tenant ${me.tenant}`);
  if (me.tenant) tenantName(me.tenant).then((n) => { if (n) tenant.textContent = `Tenant ${n}`; });
  const top = document.getElementById('top');
  top.replaceChildren(h('span.brand', 'Clavis console'),
    h('span.me', tenant, h('span', { title: me.roles.join(', ') }, `${me.name} · ${me.platform ? 'platform admin' : me.tenantAdmin ? 'tenant admin' : 'no admin role'}`),
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

/** The page without a session: sign in, to the tenant remembered or another one. */
function signedOutPage(main, text, title = 'Clavis console') {
  document.getElementById('nav').replaceChildren();
  document.getElementById('top').replaceChildren(h('span.brand', 'Clavis console'));
  const box = h('div.msg');
  const form = h('form.stack',
    field({ name: 'tenant', label: 'Tenant', value: chosenTenant(), placeholder: 'ten_…', help: 'The id of your tenant (ask your platform admin for your console link). Empty: the tenant of the server\'s first administrator.' }),
    h('div', h('button.btn.btn-primary', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!chooseTenant(new FormData(form).get('tenant'))) {
      message(box, 'A tenant id has only letters, digits, _ and - (like ten_01m886ddzbh9f71dmrmxgefy9w).', 'error');
      return;
    }
    signIn(`${ROOT}/`);
  });
  main.replaceChildren(h('h1', title), h('p', text), box, form);
}

/** The page a console link (?tenant=ID) opens without a session: it names the tenant the
 * link leads to, and signs in only when asked (docs/DESIGN.md D13). */
function linkedPage(main) {
  const id = LINKED || 'the first administrator\'s tenant';
  if (!LINKED_NAME) {
    signedOutPage(main, `This link names the tenant ${id}, and no tenant has that id here. Type the id of your tenant.`);
    return undefined;
  }
  signedOutPage(main, `This link leads to the console of the tenant “${LINKED_NAME}” (${id}). Sign in only if you administer that tenant; otherwise type the id of yours.`,
    `Sign in to the console of “${LINKED_NAME}”`);
  return undefined;
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
    if (LINKED !== null) return linkedPage(main);
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
