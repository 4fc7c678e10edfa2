// A service's resources: the APIs its clients may ask tokens for (RFC 8707; docs/API.md
// "Resources of a service").
import { api } from './api.js';
import { h, field, showErrors, when, table, confirmAction, toast, message } from './ui.js';

export function resourcesTab(s, section) {
  const box = h('div.msg');
  const list = h('div');
  const path = `/services/${encodeURIComponent(s.id)}/resources`;
  const refresh = async () => {
    try {
      const { body } = await api('GET', path);
      list.replaceChildren(table('Resources', ['Identifier', 'Name', 'Scopes', 'Added', ''],
        body.items.map((r) => [h('code', r.identifier), r.name ?? '—', (r.scopes ?? []).join(' ') || 'any of the client\'s', when(r.created_at),
          h('button.btn.btn-small.btn-danger', { type: 'button', 'aria-label': `Remove resource ${r.identifier}`, on: { click: () => remove(r) } }, 'Remove')]),
        'No resources: tokens of this service\'s clients are for this server\'s issuer (or the client\'s audience).'));
    } catch (e) { message(box, e.message, 'error'); }
  };
  const remove = async (r) => {
    if (!(await confirmAction('Remove resource?', `Tokens can no longer be asked for ${r.identifier}; its codes and refresh tokens stop working.`, 'Remove', true))) return;
    try { await api('DELETE', `${path}/${encodeURIComponent(r.id)}`); toast('Resource removed'); refresh(); } catch (e) { message(box, e.message, 'error'); }
  };
  const form = h('form.stack',
    field({ name: 'identifier', label: 'Identifier', required: true, type: 'url', placeholder: 'https://api.example.com/', help: 'The API\'s absolute URI (no fragment): what a client sends as resource, and the token\'s aud.' }),
    field({ name: 'name', label: 'Name' }),
    field({ name: 'scopes', label: 'Scopes', help: 'Separated by spaces: the scopes that belong to this API. Empty: any scope of the client.' }),
    h('div', h('button.btn.btn-primary', { type: 'submit' }, 'Add resource')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form));
    const body = { identifier: d.identifier.trim() };
    if (d.name.trim()) body.name = d.name.trim();
    const scopes = d.scopes.split(/\s+/).filter(Boolean);
    if (scopes.length) body.scopes = scopes;
    try { await api('POST', path, body); form.reset(); message(box, `Resource ${body.identifier} added.`, 'ok'); refresh(); } catch (e) { showErrors(form, box, e); }
  });
  section.replaceChildren(h('h2', 'Resources (APIs)'),
    h('p.lead', 'The APIs this service\'s clients may ask tokens for with resource (RFC 8707); a token for one carries its identifier as aud and is accepted by no other.'),
    box, list, ...(s.status === 'deleted' ? [] : [h('h3', 'Add a resource'), form]));
  refresh();
}
