// Users of the tenant, tenants (platform admins), and the audit trail.
import { api, qs } from './api.js';
import { who, ROOT } from './auth.js';
import { h, field, showErrors, statusBadge, when, table, confirmAction, toast, message } from './ui.js';
import { go } from './app.js';
import { pagedTable } from './services.js';

function changeList(changes) {
  if (!changes || typeof changes !== 'object') return '';
  const show = (v) => (v === null || v === undefined ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return h('ul.changes', Object.entries(changes).map(([k, v]) =>
    h('li', h('code', k), ': ', v && typeof v === 'object' && 'from' in v ? `${show(v.from)} → ${show(v.to)}` : show(v))));
}

/** The audit events matching query, newest first; keep(ev) filters them. */
export function auditList(query, keep = null, empty = 'No audit events.') {
  return pagedTable('Audit events', ['When', 'Action', 'Actor', 'Target', 'Changes'],
    async (cursor) => {
      const page = (await api('GET', `/audit${qs({ ...query, cursor, limit: 50 })}`)).body;
      return keep ? { ...page, items: page.items.filter(keep) } : page;
    },
    (e) => [when(e.at), h('code', e.action), `${e.actor?.type ?? ''} ${e.actor?.id ?? ''}`, `${e.target?.type ?? ''} ${e.target?.id ?? ''}`, changeList(e.changes)],
    empty);
}

export async function auditPage(main) {
  const target = h('input', { id: 'au-target', placeholder: 'an id or client_id' });
  const actor = h('input', { id: 'au-actor', placeholder: 'usr_… or a client_id' });
  const list = h('div');
  const refresh = () => list.replaceChildren(auditList({ target: target.value.trim(), actor: actor.value.trim() }));
  main.replaceChildren(h('h1', 'Audit'), h('p.lead', 'Every change made through the API, the console, the CLI and the purge, newest first.'),
    h('form.filters', { role: 'search', on: { submit: (ev) => { ev.preventDefault(); refresh(); } } },
      h('label', { for: 'au-target' }, 'Target'), target, h('label', { for: 'au-actor' }, 'Actor'), actor,
      h('button.btn', { type: 'submit' }, 'Filter')), list);
  refresh();
}

export async function usersPage(main) {
  const me = who();
  const box = h('div.msg');
  const list = h('div');
  const refresh = () => list.replaceChildren(pagedTable('Users', ['Username', 'E-mail', 'Roles', 'Status', 'Created', ''],
    async (cursor) => (await api('GET', `/users${qs({ cursor, limit: 50 })}`)).body,
    (u) => [h('a', { href: `${ROOT}/users/${u.id}` }, u.username), u.email ?? '—', (u.roles ?? []).join(', ') || '—', statusBadge(u), when(u.created_at),
      h('button.btn.btn-small.btn-danger', { type: 'button', 'aria-label': `Delete user ${u.username}`, on: { click: () => del(u) } }, 'Delete')],
    'No users.'));
  const del = async (u) => {
    if (!(await confirmAction('Delete user?', `${u.username} is removed for good and can no longer sign in.`, 'Delete', true))) return;
    try { await api('DELETE', `/users/${u.id}`); toast('User deleted'); refresh(); } catch (e) { message(box, e.message, 'error'); }
  };
  const roleOpts = adminRoles(me);
  const form = h('form.stack', field({ name: 'username', label: 'Username', required: true }),
    field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password', help: 'At least 8 characters.' }),
    field({ name: 'email', label: 'E-mail', type: 'email' }),
    field({ name: 'roles', label: 'Role', options: roleOpts }),
    h('button.btn.btn-primary', { type: 'submit' }, 'Create user'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const body = { username: d.username, password: d.password, roles: d.roles ? [d.roles] : [] };
    if (d.email) body.email = d.email;
    try { await api('POST', '/users', body); form.reset(); message(box, `User ${body.username} created.`, 'ok'); refresh(); } catch (e) { showErrors(form, box, e); }
  });
  main.replaceChildren(h('h1', 'Users'), h('p.lead', 'The people of your tenant who sign in — to the applications of its services, and (with an admin role) to this console.'),
    box, list, h('h2', 'New user'), form);
  refresh();
}

const ADMIN_ROLES = ['tenant_admin', 'platform_admin'];

function adminRoles(me) {
  const opts = [['', 'No admin role (signs in to applications only)'], ['tenant_admin', 'tenant_admin (manages this tenant)']];
  if (me.platform) opts.push(['platform_admin', 'platform_admin (manages everything)']);
  return opts;
}

/** The changed fields of the user form; roles other than the admin ones are kept. */
function userPatch(u, d) {
  const body = {};
  if (d.username !== u.username) body.username = d.username;
  if ((d.email || null) !== (u.email ?? null)) body.email = d.email || null;
  if (d.status !== u.status) body.status = d.status;
  if (d.password) body.password = d.password;
  const roles = (u.roles ?? []).filter((r) => !ADMIN_ROLES.includes(r));
  if (d.roles) roles.push(d.roles);
  const was = (u.roles ?? []).find((r) => ADMIN_ROLES.includes(r)) ?? '';
  if (d.roles !== was) body.roles = roles;
  return body;
}

export async function userPage(id, main) {
  const me = who();
  const { body: u } = await api('GET', `/users/${encodeURIComponent(id)}`);
  const box = h('div.msg');
  const opts = adminRoles(me);
  const role = (u.roles ?? []).find((r) => ADMIN_ROLES.includes(r)) ?? '';
  if (!opts.some(([v]) => v === role)) opts.push([role, role]);
  const form = h('form.stack', box,
    field({ name: 'username', label: 'Username', value: u.username, required: true }),
    field({ name: 'email', label: 'E-mail', type: 'email', value: u.email ?? '' }),
    field({ name: 'roles', label: 'Role', options: opts, value: role }),
    field({ name: 'status', label: 'Status', value: u.status, options: [['active', 'Active'], ['inactive', 'Inactive (cannot sign in)']] }),
    field({ name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', help: 'Leave empty to keep the current one; else at least 8 characters.' }),
    h('div.actions', h('button.btn.btn-primary', { type: 'submit' }, 'Save user'),
      h('button.btn.btn-danger', { type: 'button', on: { click: () => del() } }, 'Delete user')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = userPatch(u, Object.fromEntries(new FormData(form)));
    try {
      if (Object.keys(body).length) await api('PATCH', `/users/${encodeURIComponent(u.id)}`, body);
      toast('User saved');
      await userPage(id, main);
    } catch (e) { showErrors(form, box, e); }
  });
  const del = async () => {
    if (!(await confirmAction('Delete user?', `${u.username} is removed for good and can no longer sign in.`, 'Delete', true))) return;
    try { await api('DELETE', `/users/${encodeURIComponent(u.id)}`); toast('User deleted'); go('/users'); } catch (e) { message(box, e.message, 'error'); }
  };
  main.replaceChildren(h('p.crumbs', h('a', { href: `${ROOT}/users` }, 'Users'), ' / '),
    h('div.page-head', h('h1', u.username), h('span.badges', statusBadge(u))),
    h('dl.facts', h('dt', 'Id'), h('dd', h('code', u.id)), h('dt', 'Tenant'), h('dd', h('code', u.tenant_id)),
      h('dt', 'Created'), h('dd', when(u.created_at)), h('dt', 'Roles'), h('dd', (u.roles ?? []).join(', ') || '—')),
    form);
}

export async function tenantsPage(main) {
  const box = h('div.msg');
  const list = h('div');
  const refresh = () => list.replaceChildren(pagedTable('Tenants', ['Name', 'Id', 'Status', 'Created'],
    async (cursor) => (await api('GET', `/tenants${qs({ cursor, limit: 50 })}`)).body,
    (t) => [h('a', { href: `${ROOT}/tenants/${t.id}` }, t.name), h('code', t.id), statusBadge(t), when(t.created_at)], 'No tenants.'));
  const form = h('form.stack', field({ name: 'name', label: 'Name', required: true }), h('button.btn.btn-primary', { type: 'submit' }, 'Create tenant'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { await api('POST', '/tenants', Object.fromEntries(new FormData(form))); form.reset(); message(box, 'Tenant created.', 'ok'); refresh(); } catch (e) { showErrors(form, box, e); }
  });
  main.replaceChildren(h('h1', 'Tenants'), h('p.lead', 'Each tenant has its own services, clients, users and console sign-in (its page shows the link). Only platform admins see this page.'), box, list, h('h2', 'New tenant'), form);
  refresh();
}

export { table };
