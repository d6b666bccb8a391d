// Tiny DOM helpers. Text always goes through textContent (server messages are
// untrusted); no innerHTML anywhere, so the page CSP needs no 'unsafe-inline'
// for scripts.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/**
 * A modal <dialog>. `build(body, foot, close)` fills it; resolves with the
 * value passed to close() (undefined on Escape / Cancel).
 */
export function modal(title, build, { cancelLabel = 'Cancel' } = {}) {
  return new Promise(resolve => {
    const body = el('div', { class: 'pd-dialog-body' });
    const foot = el('div', { class: 'pd-dialog-foot' });
    const dialog = el('dialog', { class: 'pd-dialog' },
      el('form', { method: 'dialog', onsubmit: e => e.preventDefault() },
        el('h2', { text: title }), body, foot));
    let result;
    const close = value => { result = value; dialog.close(); };
    dialog.addEventListener('close', () => { dialog.remove(); resolve(result); });
    build(body, foot, close);
    foot.append(el('button', { type: 'button', text: cancelLabel, onclick: () => close(undefined) }));
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function formatDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  try {
    return d.toLocaleString(document.documentElement.lang || 'es', {
      timeZone: 'America/Lima', dateStyle: 'medium', timeStyle: 'short'
    });
  } catch (e) {
    return d.toISOString();
  }
}

export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([ text ], { type }));
  const a = el('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
