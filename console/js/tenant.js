// A tenant's page (its console link, and its client hygiene, which its own tenant admins
// may set: docs/DESIGN.md D10) and the signing keys (platform admins).
import { api } from './api.js';
import { who, ISSUER } from './auth.js';
import { h, field, showErrors, statusBadge, badge, when, table, confirmAction, toast, message, copyable } from './ui.js';

const names = new Map();

/** A tenant's name, asked once (null when it cannot be read). */
export function tenantName(id) {
  if (!names.has(id)) names.set(id, api('GET', `/tenants/${encodeURIComponent(id)}`).then((r) => r.body.name).catch(() => null));
  return names.get(id);
}

const HYGIENE = [
  ['deactivate_unused_after_days', 'Deactivate clients unused for (days)', 'A client that got no token for this many days is deactivated (audited; activate it to undo). Empty: never.'],
  ['registered_client_lifetime_days', 'Lifetime of registered clients (days)', 'A client registered through POST /register and unused this long is deactivated, and deleted after as long again. Empty: never.'],
];

/** The changed fields of the tenant form: hygiene for every admin, name and status for platform admins. */
function tenantPatch(t, d, platform) {
  const body = {};
  for (const [k] of HYGIENE) {
    const v = d[k].trim() === '' ? null : Number(d[k]);
    if (v !== t[k]) body[k] = Number.isNaN(v) ? d[k] : v;
  }
  if (platform && d.name !== t.name) body.name = d.name;
  if (platform && d.status !== t.status) body.status = d.status;
  return body;
}

export async function tenantPage(id, main) {
  const me = who();
  const { body: t } = await api('GET', `/tenants/${encodeURIComponent(id)}`);
  const box = h('div.msg');
  const form = h('form.stack', box,
    me.platform ? field({ name: 'name', label: 'Name', value: t.name, required: true }) : null,
    me.platform ? field({ name: 'status', label: 'Status', value: t.status, options: [['active', 'Active'], ['inactive', 'Inactive (every client of the tenant stops at once)']] }) : null,
    h('fieldset', h('legend', 'Client hygiene'),
      HYGIENE.map(([k, label, help]) => field({ name: k, label, type: 'number', min: 1, max: 3650, value: t[k] ?? '', help }))),
    h('div', h('button.btn.btn-primary', { type: 'submit' }, 'Save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = tenantPatch(t, Object.fromEntries(new FormData(form)), me.platform);
    try {
      if (Object.keys(body).length) await api('PATCH', `/tenants/${encodeURIComponent(t.id)}`, body);
      names.delete(t.id);
      toast('Tenant saved');
      await tenantPage(id, main);
    } catch (e) { showErrors(form, box, e); }
  });
  const link = `${ISSUER}/console/?tenant=${encodeURIComponent(t.id)}`;
  main.replaceChildren(h('div.page-head', h('h1', t.name), h('span.badges', statusBadge(t))),
    h('p.lead', me.platform ? 'A tenant: its name, status and client hygiene.' : 'Your tenant\'s client hygiene: what Clavis switches off by itself.'),
    h('dl.facts', h('dt', 'Id'), h('dd', h('code', t.id)), h('dt', 'Created'), h('dd', when(t.created_at))),
    h('h2', 'Console address'), h('p.help', 'Its administrators sign in to the console here (each tenant has its own console client).'),
    copyable(link, 'Console link'),
    h('h2', 'Settings'), form);
}

const STATE = { active: 'active', next: 'live', retired: 'inactive' }; // badge colours

export async function keysPage(main) {
  const box = h('div.msg');
  const list = h('div');
  const refresh = async () => {
    try {
      const { body } = await api('GET', '/keys');
      list.replaceChildren(table('Signing keys', ['Key id (kid)', 'Algorithm', 'State', 'Since', 'Retired keys verify until'],
        body.items.map((k) => [h('code', k.kid), k.alg, badge(k.state, STATE[k.state] ?? 'inactive'), when(k.created_at), when(k.retire_at)]), 'No keys.'));
    } catch (e) { message(box, e.message, 'error'); }
  };
  const alg = field({ name: 'alg', label: 'Algorithm', options: [['', 'Every algorithm'], ['RS256', 'RS256'], ['ES256', 'ES256'], ['EdDSA', 'EdDSA']] });
  const run = async (verb, title, text) => {
    const a = alg.querySelector('select').value;
    if (!(await confirmAction(title, text(a || 'every algorithm'), verb))) return;
    try {
      const { body } = await api('POST', `/keys/${verb.toLowerCase()}`, a ? { alg: a } : {});
      toast(`${body.items.length} key(s)`);
      message(box, body.items.length ? `${verb === 'Rotate' ? 'Rotated' : 'Published'}: ${body.items.map((k) => `${k.alg} ${k.kid}`).join(', ')}`
        : 'Nothing to publish: every algorithm asked for has a next key.', 'ok');
      refresh();
    } catch (e) { message(box, e.message, 'error'); }
  };
  const form = h('form.filters', { on: { submit: (ev) => ev.preventDefault() } }, alg,
    h('button.btn', { type: 'button', on: { click: () => run('Publish', 'Publish next keys?', (a) => `A next key for ${a} goes into /jwks now, so relying parties know it before it signs; the next rotation makes it active.`) } }, 'Publish next key'),
    h('button.btn.btn-primary', { type: 'button', on: { click: () => run('Rotate', 'Rotate signing keys?', (a) => `The key of ${a} is retired and its next key (or a new one) signs from now on; the old one stays published and verifies until its tokens have expired.`) } }, 'Rotate'));
  main.replaceChildren(h('h1', 'Signing keys'),
    h('p.lead', 'The keys that sign tokens, for every tenant. Only platform admins see this page; no key material is ever shown.'),
    box, form, list);
  await refresh();
}
