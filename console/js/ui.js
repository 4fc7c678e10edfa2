// Small DOM helpers: elements, forms with labelled fields and their errors, dialogs,
// badges, times, the toast. Everything is text (textContent): nothing is parsed as HTML.

/** h('tag.class#id', {attrs, on: {event: fn}}, ...children) → Element. */
export function h(spec, attrs = {}, ...children) {
  const [, tag, rest] = /^([a-z0-9]+)(.*)$/.exec(spec);
  const el = document.createElement(tag);
  for (const m of rest.matchAll(/([.#])([\w-]+)/g)) {
    if (m[1] === '.') el.classList.add(m[2]); else el.id = m[2];
  }
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) {
      if (k in el && k !== 'list' && k !== 'form') el[k] = v; else el.setAttribute(k, v);
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

let uid = 0;
export const nextId = (p = 'f') => `${p}${++uid}`;

/** A time as the browser's locale shows it, or "—". */
export function when(t) {
  if (!t) return '—';
  const d = new Date(t);
  return h('time', { dateTime: t, title: t }, d.toLocaleString());
}

export function badge(text, kind = text) {
  return h(`span.badge.b-${kind}`, text);
}

export function statusBadge(o) {
  const s = o.effective_status && o.effective_status !== o.status ? `${o.status} (effectively ${o.effective_status})` : o.status;
  return badge(s, o.effective_status ?? o.status);
}

/** A labelled control: {name, label, type, value, help, options, rows, required, readonly}. */
export function field(f) {
  const id = nextId();
  const help = f.help ? h('p.help', { id: `${id}-help` }, f.help) : null;
  const err = h('p.field-error', { id: `${id}-err`, hidden: true, role: 'alert' });
  const described = [help ? `${id}-help` : null, `${id}-err`].filter(Boolean).join(' ');
  let control;
  if (f.type === 'checkbox') {
    control = h('input', { type: 'checkbox', id, name: f.name, checked: !!f.value, disabled: !!f.readonly, 'aria-describedby': described });
    return h('div.field.check', { 'data-field': f.name }, control, h('label', { for: id }, f.label), help, err);
  }
  if (f.options) {
    control = h('select', { id, name: f.name, disabled: !!f.readonly, 'aria-describedby': described },
      f.options.map(([v, t]) => h('option', { value: v, selected: String(f.value ?? '') === v }, t)));
  } else if (f.rows) {
    control = h('textarea', { id, name: f.name, rows: f.rows, readOnly: !!f.readonly, required: !!f.required, 'aria-describedby': described, spellcheck: false });
    control.value = f.value ?? '';
  } else {
    control = h('input', {
      id, name: f.name, type: f.type ?? 'text', value: f.value ?? '', readOnly: !!f.readonly,
      required: !!f.required, autocomplete: f.autocomplete ?? 'off', 'aria-describedby': described,
      min: f.min, max: f.max, placeholder: f.placeholder, spellcheck: false,
    });
  }
  return h('div.field', { 'data-field': f.name }, h('label', { for: id }, f.label, f.required ? ' (required)' : ''), control, help, err);
}

/** Shows problem+json field errors next to their fields in form; the rest in box. */
export function showErrors(form, box, error) {
  for (const e of form.querySelectorAll('.field-error')) { e.hidden = true; e.textContent = ''; }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  let placed = false;
  for (const fe of error.errors ?? []) {
    const base = String(fe.field).split(/[.[]/)[0];
    const wrap = form.querySelector(`[data-field="${CSS.escape(base)}"]`);
    if (!wrap) continue;
    const p = wrap.querySelector('.field-error');
    p.hidden = false;
    p.textContent = `${fe.field}: ${fe.message}`;
    wrap.querySelector('input,select,textarea')?.setAttribute('aria-invalid', 'true');
    if (!placed) wrap.querySelector('input,select,textarea')?.focus();
    placed = true;
  }
  message(box, placed ? 'Some fields need a change: see the messages next to them.' : error.message, 'error');
}

/** Puts a message (kind: error | ok | info) into box, or empties it for null. */
export function message(box, text, kind = 'info') {
  box.replaceChildren();
  box.className = 'msg';
  if (!text) return;
  box.classList.add(`msg-${kind}`);
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.append(text);
}

/** A modal dialog; resolves with the value of the button pressed (null on Escape). */
export function dialog(title, body, buttons = [['ok', 'OK', 'primary']]) {
  return new Promise((resolve) => {
    const id = nextId('dlg');
    const d = h('dialog.dlg', { 'aria-labelledby': id },
      h('h2', { id }, title),
      h('div.dlg-body', body),
      h('div.actions', buttons.map(([value, text, kind]) =>
        h(`button.btn${kind ? `.btn-${kind}` : ''}`, { type: 'button', value, on: { click: () => d.close(value) } }, text))));
    d.addEventListener('close', () => { d.remove(); resolve(d.returnValue || null); });
    document.body.append(d);
    d.showModal();
  });
}

/** Asks to confirm an action; true if confirmed. */
export async function confirmAction(title, text, verb, danger = false) {
  return (await dialog(title, h('p', text), [['cancel', 'Cancel'], ['yes', verb, danger ? 'danger' : 'primary']])) === 'yes';
}

let toastTimer;
export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), 4000);
}

/** A value with a Copy button (for ids and one-time secrets). */
export function copyable(value, label, { secret = false } = {}) {
  const id = nextId();
  const input = h('input.mono', { id, value, readOnly: true, 'data-secret': secret ? 'true' : null });
  const btn = h('button.btn', {
    type: 'button',
    on: {
      click: async () => {
        try {
          await navigator.clipboard.writeText(value);
          toast(`${label} copied`);
        } catch {
          input.select();
          toast('Select the text and copy it (the browser refused clipboard access)');
        }
      },
    },
  }, `Copy ${label.toLowerCase()}`);
  return h('div.copy', h('label', { for: id }, label), h('div.copy-row', input, btn));
}

export function loading(text = 'Loading…') {
  return h('p.loading', { role: 'status' }, text);
}

export function table(caption, heads, rows, empty = 'Nothing here yet.') {
  if (!rows.length) return h('p.empty', empty);
  return h('div.table-wrap', { tabindex: 0, role: 'region', 'aria-label': caption },
    h('table', h('caption.sr', caption),
      h('thead', h('tr', heads.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', rows.map((r) => h('tr', r.map((c) => h('td', c)))))));
}

/** el.replaceChildren with the null, undefined and false children left out. */
export function fill(el, ...kids) {
  el.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
}
