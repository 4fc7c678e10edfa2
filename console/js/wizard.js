// The new-client wizard: pick a type (with when to pick it), fill in its fields, and for a
// client with a secret, the secret shown once with an explicit "I have stored it" step.
import { api } from './api.js';
import { ROOT } from './auth.js';
import { h, field, showErrors, copyable, nextId } from './ui.js';
import { go } from './app.js';

const TYPES = [
  ['public', 'Public', 'A single-page or mobile app that signs users in and cannot keep a secret (authorization code + PKCE).'],
  ['confidential', 'Confidential', 'A web application with a server that signs users in and keeps a client secret on that server.'],
  ['m2m', 'Machine to machine', 'A service or script that calls APIs as itself, with no user (client credentials).'],
];

const lines = (s) => String(s ?? '').split(/[\n,]/).map((x) => x.trim()).filter(Boolean);

export async function newClientPage(serviceId, main) {
  const { body: s } = await api('GET', `/services/${encodeURIComponent(serviceId)}`);
  const step = h('div');
  main.replaceChildren(
    h('p.crumbs', h('a', { href: `${ROOT}/services` }, 'Services'), ' / ', h('a', { href: `${ROOT}/services/${s.id}` }, s.name), ' / '),
    h('h1', 'New client'), step);
  chooseType(s, step);
}

function chooseType(s, step) {
  const group = nextId('type');
  const form = h('form.stack',
    h('fieldset', h('legend', 'Step 1 of 2: what kind of application is it?'),
      TYPES.map(([v, t, when], i) => {
        const id = nextId();
        return h('div.choice', h('input', { type: 'radio', name: group, id, value: v, checked: i === 0 }),
          h('label', { for: id }, h('strong', t), h('span.help', when)));
      })),
    h('div.actions', h('button.btn.btn-primary', { type: 'submit' }, 'Next')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    details(s, step, form.querySelector(`input[name="${group}"]:checked`).value);
  });
  step.replaceChildren(form);
  form.querySelector('input').focus();
}

function details(s, step, type) {
  const box = h('div.msg');
  const users = type !== 'm2m';
  const form = h('form.stack', h('h2', `Step 2 of 2: ${TYPES.find((t) => t[0] === type)[1]} client`), box,
    field({ name: 'name', label: 'Name', required: true, help: 'Shown to users on the consent page and in lists.' }),
    field({ name: 'description', label: 'Description', rows: 2 }),
    users ? field({ name: 'redirect_uris', label: 'Redirect URIs', rows: 3, required: true, help: 'One per line. Where Clavis sends the browser back with the code: https, or http on 127.0.0.1 / localhost for development.' }) : null,
    users ? field({ name: 'post_logout_redirect_uris', label: 'Post-logout redirect URIs', rows: 2, help: 'One per line. Where users may land after signing out.' }) : null,
    field({ name: 'scopes', label: 'Scopes', value: users ? 'openid profile email' : '', help: 'Space-separated. The scopes the client may ask for.' }),
    users ? field({ name: 'allow_refresh_token', label: 'Allow refresh tokens', type: 'checkbox', value: true }) : null,
    h('div.actions', h('button.btn', { type: 'button', on: { click: () => chooseType(s, step) } }, 'Back'),
      h('button.btn.btn-primary', { type: 'submit' }, 'Create client')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    const body = { service_id: s.id, type, name: d.get('name'), scopes: lines(d.get('scopes')).flatMap((x) => x.split(/\s+/)) };
    if (d.get('description')) body.description = d.get('description');
    if (users) {
      body.redirect_uris = lines(d.get('redirect_uris'));
      body.post_logout_redirect_uris = lines(d.get('post_logout_redirect_uris'));
      body.allow_refresh_token = d.get('allow_refresh_token') === 'on';
    }
    try {
      const { body: c } = await api('POST', '/clients', body);
      if (c.client_secret) showSecretOnce(step, c, c.client_secret, () => go(`/clients/${encodeURIComponent(c.client_id)}`));
      else go(`/clients/${encodeURIComponent(c.client_id)}`);
    } catch (e) { showErrors(form, box, e); }
  });
  step.replaceChildren(form);
  form.querySelector('input').focus();
}

/** The secret, once: copy it, confirm it is stored, then continue. */
export function showSecretOnce(container, c, secret, done) {
  const ack = nextId();
  const cont = h('button.btn.btn-primary', { type: 'button', disabled: true, on: { click: done } }, 'Continue');
  const check = h('input', { type: 'checkbox', id: ack, on: { change: () => { cont.disabled = !check.checked; } } });
  const panel = h('section.once', { 'aria-labelledby': `${ack}-h` },
    h('h2', { id: `${ack}-h` }, 'Store the client secret now'),
    h('p.msg.msg-warn', { role: 'alert' }, 'You will not see this secret again. Clavis keeps only a hash of it; if it is lost, add a new secret and remove this one.'),
    copyable(c.client_id, 'Client ID'),
    copyable(secret, 'Client secret', { secret: true }),
    h('div.field.check', check, h('label', { for: ack }, 'I have stored the secret somewhere safe')),
    h('div.actions', cont));
  container.replaceChildren(panel);
  panel.querySelector('button').focus();
}
