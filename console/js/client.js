// One client: settings in groups (edited with If-Match), lifecycle, secrets, test token, audit.
import { api } from './api.js';
import { ROOT, jwtPart } from './auth.js';
import { h, field, showErrors, message, statusBadge, when, table, confirmAction, copyable, toast, nextId, fill } from './ui.js';
import { tabs } from './services.js';
import { auditList } from './admin.js';
import { showSecretOnce } from './wizard.js';

// [name, label, kind, help, users-only]; kinds: text area list words number bool alg method subject
const GROUPS = [
  ['Basic', [['name', 'Name', 'text'], ['description', 'Description', 'area']]],
  ['URIs', [['redirect_uris', 'Redirect URIs', 'list', 'One per line; matched exactly (loopback: any port).', true],
    ['allowed_cors_origins', 'Allowed CORS origins', 'list', 'One per line, for browser calls to /token.', true],
    ['client_uri', 'Home page', 'text'], ['logo_uri', 'Logo URL', 'text'], ['policy_uri', 'Privacy policy URL', 'text'], ['tos_uri', 'Terms of service URL', 'text']]],
  ['Tokens', [['scopes', 'Scopes', 'words', 'Space-separated scopes the client may ask for.'],
    ['audience', 'Audience', 'list', 'One absolute URI per line (at most 10); empty: the issuer.'],
    ['access_token_lifetime', 'Access token lifetime (seconds)', 'number'],
    ['refresh_token_lifetime', 'Refresh token lifetime (seconds)', 'number', null, true],
    ['allow_refresh_token', 'Allow refresh tokens', 'bool', null, true],
    ['allow_client_credentials', 'Allow client credentials', 'bool'],
    ['require_pkce', 'Require PKCE', 'bool', null, true],
    ['access_token_signing_alg', 'Access token signing algorithm', 'alg']]],
  ['Logout', [['post_logout_redirect_uris', 'Post-logout redirect URIs', 'list', 'One per line: where /logout may send users afterwards.', true]]],
  ['Advanced', [['roles', 'Roles', 'words', 'Space-separated roles put in the client\'s tokens (tenant_admin makes it an administrator).'],
    ['token_endpoint_auth_method', 'Authentication at /token', 'method'],
    ['subject_type', 'Subject type', 'subject', 'pairwise gives each sector its own user ids.', true],
    ['sector_identifier_uri', 'Sector identifier URI', 'text', null, true],
    ['first_party', 'First party (no consent page; admins\' roles reach it)', 'bool'],
    ['contacts', 'Contacts', 'list', 'One e-mail address per line.']]],
];
const OPTIONS = {
  alg: [['RS256', 'RS256'], ['ES256', 'ES256'], ['EdDSA', 'EdDSA']],
  method: [['none', 'none (public)'], ['client_secret_basic', 'client_secret_basic'], ['client_secret_post', 'client_secret_post'], ['private_key_jwt', 'private_key_jwt']],
  subject: [['public', 'public'], ['pairwise', 'pairwise']],
};

function toForm(kind, v) {
  if (kind === 'list') return (v ?? []).join('\n');
  if (kind === 'words') return (v ?? []).join(' ');
  if (kind === 'bool') return !!v;
  return v === null || v === undefined ? '' : String(v);
}

function fromForm(kind, form, name) {
  const el = form.elements[name];
  if (kind === 'bool') return el.checked;
  const s = el.value.trim();
  if (kind === 'list') return s.split('\n').map((x) => x.trim()).filter(Boolean);
  if (kind === 'words') return s.split(/\s+/).filter(Boolean);
  if (kind === 'number') return s === '' ? null : Number(s);
  return s === '' ? null : s;
}

const fieldsOf = (c) => GROUPS.flatMap(([, fs]) => fs).filter((f) => !(f[4] && c.type === 'm2m'));

/** A stored value as fromForm would read it back. */
function norm(kind, v) {
  if (kind === 'list' || kind === 'words') return v ?? [];
  if (kind === 'bool') return !!v;
  if (kind === 'number') return v ?? null;
  return v === null || v === undefined || v === '' ? null : String(v);
}

/** The changed fields of form against client c, as a PATCH body. */
function changes(form, c) {
  const patch = {};
  for (const [name, , kind] of fieldsOf(c)) {
    const v = fromForm(kind, form, name);
    if (JSON.stringify(v) !== JSON.stringify(norm(kind, c[name]))) patch[name] = v;
  }
  return patch;
}

export async function clientPage(clientId, tab, main) {
  const res = await api('GET', `/clients/${encodeURIComponent(clientId)}`);
  const c = res.body;
  const { body: s } = await api('GET', `/services/${c.service_id}`);
  const section = h('section.panel');
  fill(main,
    h('p.crumbs', h('a', { href: `${ROOT}/services` }, 'Services'), ' / ', h('a', { href: `${ROOT}/services/${s.id}` }, s.name), ' / '),
    h('div.page-head', h('h1', c.name), h('span.badges', statusBadge(c), h('span.badge', c.type), c.protected ? h('span.badge', 'protected') : null)),
    h('dl.facts', h('dt', 'client_id'), h('dd', h('code', c.client_id)), h('dt', 'Created'), h('dd', when(c.created_at)), h('dt', 'Last used'), h('dd', when(c.last_used_at))),
    c.status === 'deleted' ? h('p.msg.msg-warn', 'This client is deleted: it cannot get tokens. Restore it before ', when(c.purge_at), ', when it is purged for good.') : null,
    tabs(`/clients/${encodeURIComponent(c.client_id)}`, tab, [['settings', 'Settings'], ...(c.type !== 'public' ? [['secrets', 'Secrets']] : []), ['test-token', 'Test token'], ['audit', 'Audit']]),
    section);
  if (tab === 'secrets') secretsTab(c, section);
  else if (tab === 'test-token') testTokenTab(c, section);
  else if (tab === 'audit') section.replaceChildren(h('h2', 'Audit of this client'), auditList({ target: c.client_id }));
  else settingsTab(c, res.headers.get('ETag'), section, main);
}

function buildForm(c, values = {}) {
  const groups = GROUPS.map(([title, fs]) => {
    const shown = fs.filter((f) => !(f[4] && c.type === 'm2m'));
    if (!shown.length) return null;
    return h('fieldset.group', h('legend', title), shown.map(([name, label, kind, help]) => field({
      name, label, help,
      value: name in values ? values[name] : toForm(kind, c[name]),
      type: kind === 'bool' ? 'checkbox' : kind === 'number' ? 'number' : 'text',
      rows: kind === 'list' || kind === 'area' ? 3 : undefined,
      options: OPTIONS[kind],
    })));
  });
  return groups;
}

function settingsTab(c, etag, section, main) {
  const box = h('div.msg');
  let current = { c, etag };
  const form = h('form.stack', { id: 'client-form' });
  const show = (values) => form.replaceChildren(box, ...buildForm(current.c, values),
    h('div.actions.sticky', h('button.btn.btn-primary', { type: 'submit' }, 'Save changes')));
  show();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const patch = changes(form, current.c);
    if (!Object.keys(patch).length) { message(box, 'Nothing changed.', 'info'); return; }
    try {
      await api('PATCH', `/clients/${encodeURIComponent(c.client_id)}`, patch, { headers: { 'If-Match': current.etag } });
      toast('Client saved');
      clientPage(c.client_id, 'settings', main);
    } catch (e) {
      if (e.status !== 412) { showErrors(form, box, e); return; }
      box.replaceChildren();
      box.className = 'msg msg-error';
      box.setAttribute('role', 'alert');
      box.append(h('p', 'Someone else changed this client after you opened it, so your changes were not saved (412 Precondition Failed). ' +
        'Reload to get their version; your changes are then applied on top of it for you to review and save again.'),
      h('button.btn.btn-primary', { type: 'button', on: { click: () => reapply(patch) } }, 'Reload and reapply my changes'));
      box.querySelector('button').focus();
    }
  });
  async function reapply(patch) {
    const res = await api('GET', `/clients/${encodeURIComponent(c.client_id)}`);
    current = { c: res.body, etag: res.headers.get('ETag') };
    const values = {};
    for (const [name, , kind] of fieldsOf(current.c)) if (name in patch) values[name] = toForm(kind, patch[name]);
    show(values);
    message(box, `Reloaded the current version and applied your changes to: ${Object.keys(patch).join(', ')}. Review them and save.`, 'info');
  }
  section.replaceChildren(h('h2', 'Settings'), form, lifecycle(c, main));
}

function lifecycle(c, main) {
  const box = h('div.msg');
  const id = encodeURIComponent(c.client_id);
  const act = async (verb, path, ask, after) => {
    if (ask && !(await confirmAction(...ask))) return;
    try {
      const { body } = await api(verb, `/clients/${id}${path}`);
      if (after) after(body); else toast('Done');
      clientPage(c.client_id, 'settings', main);
    } catch (e) { message(box, e.message, 'error'); }
  };
  const b = [];
  const prot = c.protected ? ' (protected: not possible)' : '';
  if (c.status === 'active') b.push(h('button.btn', { type: 'button', disabled: !!c.protected, on: { click: () => act('POST', '/deactivate', ['Deactivate client?', `${c.name} gets no more tokens, and its tokens introspect inactive, until it is activated again.`, 'Deactivate']) } }, `Deactivate${prot}`));
  if (c.status === 'inactive') b.push(h('button.btn', { type: 'button', on: { click: () => act('POST', '/activate') } }, 'Activate'));
  if (c.status === 'deleted') b.push(h('button.btn.btn-primary', { type: 'button', on: { click: () => act('POST', '/restore') } }, 'Restore'));
  else b.push(h('button.btn.btn-danger', { type: 'button', disabled: !!c.protected, on: { click: () => act('DELETE', '', ['Delete client?', `${c.name} stops working at once. You can restore it during the retention period; then it is purged for good.`, 'Delete', true]) } }, `Delete${prot}`));
  b.push(h('button.btn.btn-danger', { type: 'button', on: { click: () => act('POST', '/revoke-tokens', ['Revoke all tokens?', `Every refresh token and code of ${c.name} is revoked and its access tokens introspect inactive. Users sign in again.`, 'Revoke all', true], (r) => toast(`${r.revoked} token(s) revoked`)) } }, 'Revoke all tokens'));
  return h('div', h('h2', 'Lifecycle'), box, h('div.actions', b));
}

const DAY = 86400000;

function secretsTab(c, section) {
  const box = h('div.msg');
  const list = h('div');
  const id = encodeURIComponent(c.client_id);
  const load = async () => {
    list.replaceChildren(h('p.loading', { role: 'status' }, 'Loading…'));
    const { body } = await api('GET', `/clients/${id}/secrets`);
    const now = Date.now();
    list.replaceChildren(table('Secrets', ['Description', 'Created', 'Expires', 'Last used', ''], body.items.map((x) => {
      const exp = x.expires_at ? Date.parse(x.expires_at) : null;
      const flag = exp === null ? null : exp < now ? h('span.badge.b-deleted', 'expired') : exp < now + 30 * DAY ? h('span.badge.b-inactive', 'expires soon') : null;
      return [x.description || h('span.muted', '(no description)'), when(x.created_at), h('span', x.expires_at ? when(x.expires_at) : 'never', ' ', flag), when(x.last_used_at),
        h('button.btn.btn-small.btn-danger', { type: 'button', 'aria-label': `Remove secret ${x.description || x.secret_id}`, on: { click: () => remove(x) } }, 'Remove')];
    }), 'This client has no secret: it cannot authenticate until you add one.'));
  };
  const remove = async (x) => {
    if (!(await confirmAction('Remove secret?', `Applications still using "${x.description || x.secret_id}" fail to authenticate from now on.`, 'Remove', true))) return;
    try { await api('DELETE', `/clients/${id}/secrets/${x.secret_id}`); toast('Secret removed'); load(); } catch (e) { message(box, e.message, 'error'); }
  };
  const form = h('form.stack',
    field({ name: 'description', label: 'Description', help: 'Where this secret is used, e.g. "production, rotated 2026-12".' }),
    field({ name: 'expiry', label: 'Expires', options: [['365', 'In 1 year'], ['90', 'In 90 days'], ['30', 'In 30 days'], ['never', 'Never']], value: '365' }),
    h('button.btn.btn-primary', { type: 'submit' }, 'Add secret'));
  const out = h('div');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const body = { expires_at: d.expiry === 'never' ? null : new Date(Date.now() + Number(d.expiry) * DAY).toISOString().replace(/\.\d+Z$/, 'Z') };
    if (d.description) body.description = d.description;
    try {
      const { body: sec } = await api('POST', `/clients/${id}/secrets`, body);
      form.reset();
      showSecretOnce(out, c, sec.client_secret, () => { out.replaceChildren(); load(); });
    } catch (e) { showErrors(form, box, e); }
  });
  section.replaceChildren(h('h2', 'Secrets'),
    h('p.lead', 'Every unexpired secret works. To rotate: add a new secret, move your application to it, then remove the old one. Secrets expiring within 30 days are flagged.'),
    box, list, out, h('h3', 'Add a secret'), form);
  load().catch((e) => message(box, e.message, 'error'));
}

function testTokenTab(c, section) {
  const box = h('div.msg');
  const out = h('div');
  const form = h('form.stack', box,
    field({ name: 'lifetime', label: 'Lifetime (seconds)', type: 'number', value: '600', min: 60 }),
    field({ name: 'scope', label: 'Scopes', value: (c.scopes ?? []).filter((x) => x !== 'admin').join(' '), help: 'Space-separated; a subset of the client\'s scopes.' }),
    field({ name: 'user_id', label: 'User id (sub)', help: 'Empty: the client_id.' }),
    field({ name: 'roles', label: 'Roles', help: 'Space-separated; replace the client\'s roles in the token.' }),
    field({ name: 'claims', label: 'Custom claims (JSON object)', rows: 3, value: '{}' }),
    h('button.btn.btn-primary', { type: 'submit' }, 'Issue test token'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const body = {};
    if (d.lifetime) body.lifetime = Number(d.lifetime);
    if (d.scope.trim()) body.scope = d.scope.trim();
    if (d.user_id.trim()) body.user_id = d.user_id.trim();
    if (d.roles.trim()) body.roles = d.roles.trim().split(/\s+/);
    try {
      const claims = JSON.parse(d.claims || '{}');
      if (Object.keys(claims).length) body.claims = claims;
    } catch {
      showErrors(form, box, { errors: [{ field: 'claims', message: 'is not valid JSON' }] });
      return;
    }
    try {
      const { body: t } = await api('POST', `/clients/${encodeURIComponent(c.client_id)}/test-token`, body);
      message(box, null);
      const hid = nextId();
      out.replaceChildren(h('section.once', { 'aria-labelledby': hid }, h('h2', { id: hid }, 'Test token'),
        h('p', `Expires in ${t.expires_in} s${t.scope ? `; scope: ${t.scope}` : ''}.`),
        copyable(t.access_token, 'Access token', { secret: true }),
        h('h3', 'Header'), h('pre.json', { 'data-part': 'header' }, JSON.stringify(jwtPart(t.access_token, 0), null, 2)),
        h('h3', 'Claims'), h('pre.json', { 'data-part': 'claims' }, JSON.stringify(jwtPart(t.access_token, 1), null, 2))));
    } catch (e) { showErrors(form, box, e); }
  });
  section.replaceChildren(h('h2', 'Test token'), h('p.lead', 'An access token for this client, marked "test": true, for trying an API. It is audited.'), form, out);
}
