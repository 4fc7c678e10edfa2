// Services: the list, one service's clients, initial access tokens, audit and settings.
import { api, qs } from './api.js';
import { who, ROOT } from './auth.js';
import { h, field, showErrors, message, statusBadge, badge, when, table, confirmAction, dialog, copyable, loading, toast, fill } from './ui.js';
import { go } from './app.js';
import { auditList } from './admin.js';
import { resourcesTab } from './resources.js';

/** A list with "Load more" over next_cursor: load(cursor) → page; row(item) → cells. */
export function pagedTable(caption, heads, load, row, empty) {
  const wrap = h('div');
  const rows = [];
  let cursor = null;
  const more = h('button.btn', { type: 'button', on: { click: () => next() } }, 'Load more');
  const status = h('p.loading', { role: 'status' });
  async function next() {
    more.disabled = true;
    status.textContent = 'Loading…';
    try {
      const page = await load(cursor);
      rows.push(...page.items.map(row));
      cursor = page.next_cursor ?? null;
      const t = table(caption, heads, rows, empty);
      fill(wrap, t, cursor ? more : null, status);
      status.textContent = rows.length ? `${rows.length} shown${cursor ? '; more available' : ''}` : '';
    } catch (e) {
      wrap.replaceChildren(h('p.msg.msg-error', { role: 'alert' }, e.message));
    }
    more.disabled = false;
  }
  next();
  return wrap;
}

export async function servicesPage(main) {
  const me = who();
  const filter = h('select', { id: 'svc-status', on: { change: () => refresh() } },
    [['', 'Active and inactive'], ['active', 'Active'], ['inactive', 'Inactive'], ['deleted', 'Deleted (restorable)']]
      .map(([v, t]) => h('option', { value: v }, t)));
  const list = h('div');
  const refresh = () => list.replaceChildren(pagedTable('Services',
    ['Name', 'Status', 'Environment', 'Created', 'Deleted / purge at', ...(me.platform ? ['Tenant'] : [])],
    async (cursor) => (await api('GET', `/services${qs({ status: filter.value, cursor, limit: 25 })}`)).body,
    (s) => [h('a', { href: `${ROOT}/services/${s.id}` }, s.name), statusBadge(s),
      badge(s.approval === 'live' ? 'live' : 'sandbox'), when(s.created_at),
      s.purge_at ? h('span', 'purged after ', when(s.purge_at)) : '—', ...(me.platform ? [h('code', s.tenant_id)] : [])],
    'No services yet: create the first one.'));
  main.replaceChildren(
    h('div.page-head', h('h1', 'Services'),
      h('button.btn.btn-primary', { type: 'button', on: { click: () => createService(me) } }, 'New service')),
    h('p.lead', 'A service groups the clients of one application or API. New services start in the sandbox; a platform admin approves them for live use.'),
    h('div.filters', h('label', { for: 'svc-status' }, 'Status'), filter),
    list);
  refresh();
}

async function tenantOptions() {
  const { body } = await api('GET', '/tenants?limit=100');
  return body.items.map((t) => [t.id, `${t.name} (${t.id})`]);
}

async function createService(me) {
  const box = h('div.msg');
  const fields = [field({ name: 'name', label: 'Name', required: true }),
    field({ name: 'description', label: 'Description', rows: 2 })];
  if (me.platform) fields.push(field({ name: 'tenant_id', label: 'Tenant', options: await tenantOptions(), value: me.tenant }));
  const form = h('form.stack', box, fields);
  const d = h('dialog.dlg', { 'aria-labelledby': 'new-svc' }, h('h2#new-svc', 'New service'), form,
    h('div.actions', h('button.btn', { type: 'button', on: { click: () => d.close() } }, 'Cancel'),
      h('button.btn.btn-primary', { type: 'submit', form: 'f-new-svc' }, 'Create service')));
  form.id = 'f-new-svc';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    if (!data.description) delete data.description;
    try {
      const { body } = await api('POST', '/services', data);
      d.close();
      toast(`Service ${body.name} created`);
      go(`/services/${body.id}`);
    } catch (e) { showErrors(form, box, e); }
  });
  d.addEventListener('close', () => d.remove());
  document.body.append(d);
  d.showModal();
}

function tabs(base, current, list) {
  return h('nav.tabs', { 'aria-label': 'Sections' }, h('ul', list.map(([k, t]) =>
    h('li', h('a', { href: `${ROOT}${base}/${k}`, 'aria-current': k === current ? 'page' : null }, t)))));
}

export async function servicePage(id, tab, main) {
  const { body: s } = await api('GET', `/services/${encodeURIComponent(id)}`);
  const section = h('section.panel');
  fill(main,
    h('p.crumbs', h('a', { href: `${ROOT}/services` }, 'Services'), ' / '),
    h('div.page-head', h('h1', s.name), h('span.badges', statusBadge(s), badge(s.approval === 'live' ? 'live' : 'sandbox'))),
    s.description ? h('p.lead', s.description) : null,
    s.status === 'deleted' ? h('p.msg.msg-warn', 'This service is deleted. It can be restored until ', when(s.purge_at), '; then it and its clients are purged for good.') : null,
    tabs(`/services/${s.id}`, tab, [['clients', 'Clients'], ['resources', 'Resources'], ['tokens', 'Registration tokens'], ['audit', 'Audit'], ['settings', 'Settings']]),
    section);
  if (tab === 'clients') clientsTab(s, section);
  else if (tab === 'resources') resourcesTab(s, section);
  else if (tab === 'tokens') tokensTab(s, section);
  else if (tab === 'audit') section.replaceChildren(h('h2', 'Audit of this service'), auditList({ target: s.id }));
  else settingsTab(s, section, main);
}

function clientsTab(s, section) {
  const q = h('input', { id: 'cl-q', type: 'search', placeholder: 'name or client_id' });
  const status = h('select', { id: 'cl-status' }, [['', 'Active and inactive'], ['active', 'Active'], ['inactive', 'Inactive'], ['deleted', 'Deleted']].map(([v, t]) => h('option', { value: v }, t)));
  const type = h('select', { id: 'cl-type' }, [['', 'Any type'], ['public', 'Public'], ['confidential', 'Confidential'], ['m2m', 'Machine to machine']].map(([v, t]) => h('option', { value: v }, t)));
  const list = h('div');
  const refresh = () => list.replaceChildren(pagedTable('Clients',
    ['Name', 'client_id', 'Type', 'Status', 'Last used', 'Created'],
    async (cursor) => (await api('GET', `/clients${qs({ service_id: s.id, q: q.value.trim(), status: status.value, type: type.value, cursor, limit: 20 })}`)).body,
    (c) => [h('a', { href: `${ROOT}/clients/${encodeURIComponent(c.client_id)}` }, c.name), h('code', c.client_id), c.type, statusBadge(c), when(c.last_used_at), when(c.created_at)],
    'No clients match.'));
  const form = h('form.filters', { role: 'search', on: { submit: (ev) => { ev.preventDefault(); refresh(); } } },
    h('label', { for: 'cl-q' }, 'Search'), q, h('label', { for: 'cl-status' }, 'Status'), status,
    h('label', { for: 'cl-type' }, 'Type'), type, h('button.btn', { type: 'submit' }, 'Filter'));
  status.addEventListener('change', refresh);
  type.addEventListener('change', refresh);
  section.replaceChildren(
    h('div.page-head', h('h2', 'Clients'), s.status === 'deleted' ? null : h('a.btn.btn-primary', { href: `${ROOT}/services/${s.id}/new-client` }, 'New client')),
    form, list);
  refresh();
}

function tokensTab(s, section) {
  const box = h('div.msg');
  const out = h('div');
  const form = h('form.stack', box,
    field({ name: 'expires_in', label: 'Valid for', options: [['3600', '1 hour'], ['86400', '1 day'], ['604800', '7 days'], ['2592000', '30 days']], value: '86400' }),
    field({ name: 'uses', label: 'Registrations it allows', type: 'number', value: '1', min: 1, max: 1000000, help: 'How many clients may register with it (RFC 7591).' }),
    h('button.btn.btn-primary', { type: 'submit' }, 'Create registration token'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    try {
      const { body } = await api('POST', '/initial-access-tokens', { service_id: s.id, expires_in: Number(d.expires_in), uses: Number(d.uses) });
      message(box, null);
      out.replaceChildren(h('div.once', h('h3', 'Your registration token'),
        h('p.msg.msg-warn', 'Copy it now: you will not see this token again. Clavis keeps only its hash.'),
        copyable(body.token, 'Token', { secret: true }), h('p', 'Expires ', when(body.expires_at), `; allows ${body.uses ?? 'any number of'} registration(s).`)));
      listEl.replaceChildren(issued());
    } catch (e) { showErrors(form, box, e); }
  });
  const issued = () => auditList({ target: s.id }, (ev) => ev.action === 'initial_access_token.create', 'No registration tokens were created for this service.');
  const listEl = h('div', issued());
  section.replaceChildren(h('h2', 'Initial access tokens'),
    h('p.lead', 'Give one to a developer or a tool so it can register a client in this service through POST /register.'),
    form, out, h('h3', 'Created so far'), h('p.help', 'From the audit trail: tokens themselves are never stored, only their hashes.'), listEl);
}

function settingsTab(s, section, main) {
  const me = who();
  const box = h('div.msg');
  const form = h('form.stack', box,
    field({ name: 'name', label: 'Name', value: s.name, required: true }),
    field({ name: 'description', label: 'Description', value: s.description ?? '', rows: 2 }),
    h('button.btn.btn-primary', { type: 'submit' }, 'Save'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    try {
      await api('PATCH', `/services/${s.id}`, { name: d.name, description: d.description || null });
      toast('Service saved');
      servicePage(s.id, 'settings', main);
    } catch (e) { showErrors(form, box, e); }
  });
  const act = async (verb, path, ask) => {
    if (ask && !(await confirmAction(...ask))) return;
    try {
      await api(verb, `/services/${s.id}${path}`);
      toast('Done');
      servicePage(s.id, 'settings', main);
    } catch (e) { message(box, e.message, 'error'); }
  };
  const buttons = [];
  if (s.status === 'active') buttons.push(h('button.btn', { type: 'button', on: { click: () => act('POST', '/deactivate', ['Deactivate service?', `Every client of ${s.name} stops getting tokens until it is activated again.`, 'Deactivate']) } }, 'Deactivate'));
  if (s.status === 'inactive') buttons.push(h('button.btn', { type: 'button', on: { click: () => act('POST', '/activate') } }, 'Activate'));
  if (s.status === 'deleted') buttons.push(h('button.btn.btn-primary', { type: 'button', on: { click: () => act('POST', '/restore') } }, 'Restore'));
  else buttons.push(h('button.btn.btn-danger', { type: 'button', on: { click: () => act('DELETE', '', ['Delete service?', `${s.name} and its clients stop working at once. You can restore it during the retention period; after that it is purged for good.`, 'Delete', true]) } }, 'Delete'));
  if (me.platform && s.approval !== 'live' && s.status !== 'deleted') buttons.push(h('button.btn', { type: 'button', on: { click: () => act('POST', '/approve', ['Approve for live?', `${s.name} leaves the sandbox and becomes live.`, 'Approve']) } }, 'Approve for live'));
  section.replaceChildren(h('h2', 'Settings'), s.status === 'deleted' ? box : form,
    h('h2', 'Lifecycle'), h('dl.facts', h('dt', 'Id'), h('dd', h('code', s.id)), h('dt', 'Tenant'), h('dd', h('code', s.tenant_id)),
      h('dt', 'Created'), h('dd', when(s.created_at)), h('dt', 'Deleted'), h('dd', when(s.deleted_at)), h('dt', 'Purge at'), h('dd', when(s.purge_at))),
    h('div.actions', buttons));
}

export { tabs, loading, dialog };
