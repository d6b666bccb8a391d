// JSON client for the designer API (docs/designer.md). Every POST carries the
// CSRF token and Content-Type: application/json. Non-2xx responses become an
// ApiError carrying the parsed body, so callers can show `problems` (422).
export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export function makeApi(base, csrf) {
  const root = String(base || '').replace(/\/+$/, '');

  async function request(method, path, body, { text = false } = {}) {
    const headers = { 'Accept': text ? 'application/xml, text/xml, text/plain' : 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['X-CSRFToken'] = csrf || '';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(root + path, init);
    } catch (err) {
      throw new ApiError(0, null, err && err.message ? err.message : String(err));
    }
    const type = res.headers.get('Content-Type') || '';
    let payload = null;
    if (type.includes('json')) {
      try { payload = await res.json(); } catch (e) { payload = null; }
    } else {
      payload = await res.text();
    }
    if (!res.ok) {
      throw new ApiError(res.status, payload, describe(res, payload));
    }
    return payload;
  }

  return {
    meta: () => request('GET', '/meta'),
    processes: () => request('GET', '/processes'),
    processXml: (pid, version) =>
      request('GET', `/processes/${encodeURIComponent(pid)}/${encodeURIComponent(version)}/xml`, undefined, { text: true }),
    drafts: () => request('GET', '/drafts'),
    draft: id => request('GET', `/drafts/${encodeURIComponent(id)}`),
    saveDraft: (processId, xml) => request('POST', '/drafts', { process_id: processId, xml }),
    validate: xml => request('POST', '/validate', { xml }),
    dryrun: (xml, startDate, decisions) => request('POST', '/dryrun', { xml, start_date: startDate, decisions }),
    diff: xml => request('POST', '/diff', { xml }),
    deploy: xml => request('POST', '/deploy', { xml })
  };
}

function describe(res, payload) {
  if (payload && typeof payload === 'object') {
    if (payload.error) return String(payload.error);
    if (payload.message) return String(payload.message);
    if (Array.isArray(payload.problems)) return payload.problems.map(p => p.message).join('; ');
  }
  if (typeof payload === 'string' && payload && payload.length < 300 && !/<html/i.test(payload)) {
    return payload.trim();
  }
  return res.statusText || `HTTP ${res.status}`;
}
