// Providers: each cloud account's standing per service (the leader's): the plan version it
// serves against the committed one, its last sync, its last error, and the hand edits it found
// and corrected. Operators can ask for a dry run: the changes an account would make now.

import { element, time } from './dom.js';
import { get, request, roleCovers } from './api.js';
import { watch } from './live.js';

/** How often the standing is read again: it is the leader's memory, not replicated state. */
const REFRESH_MS = 5000;

export function renderProviders(main, { me, fail }) {
  const isOperator = roleCovers(me.role, 'operator');
  main.innerHTML = `
    <h1>Providers <span class="live" data-state="connecting">connecting…</span></h1>
    <p class="muted">Cloud accounts serving the plans (configured in <code>tern.providers</code>, docs/providers/).
      Only the leader reconciles; this is its view.</p>
    <p class="providers-count muted" role="status"></p>
    <div class="table-wrap">
      <table class="providers-table">
        <thead><tr><th scope="col">Account</th><th scope="col">Kind</th><th scope="col">Service</th>
          <th scope="col">Serves</th><th scope="col">Last sync</th><th scope="col">Drift corrected</th>
          <th scope="col">Dry run</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <h2 class="dry-run-title" hidden>Dry run</h2>
    <pre class="dry-run" role="status" hidden></pre>`;
  const body = main.querySelector('.providers-table tbody');
  const count = main.querySelector('.providers-count');
  const dryTitle = main.querySelector('.dry-run-title');
  const dry = main.querySelector('.dry-run');
  let stopped = false;

  async function reload() {
    const [status, services] = await Promise.all([get('/api/v1/providers'), get('/api/v1/services')]);
    if (stopped) {
      return;
    }
    const planOf = new Map(services.map((s) => [s.name, s.planVersion]));
    const failing = status.filter((s) => s.lastError).length;
    count.textContent = status.length === 0 ? 'No provider account has reconciled on this leader yet.'
      : `${status.length} account–service pair${status.length === 1 ? '' : 's'}; ${failing} failing.`;
    body.replaceChildren(...status.map((s) => row(s, planOf.get(s.service), isOperator)));
  }

  body.addEventListener('click', async (event) => {
    const button = event.target.closest('button.dry-run-button');
    if (!button) {
      return;
    }
    const tr = button.closest('tr');
    const { provider, service } = tr.dataset;
    dryTitle.hidden = false;
    dry.hidden = false;
    dry.textContent = `Asking ${provider} what it would change for ${service}…`;
    try {
      const result = await request('POST',
        `/api/v1/providers/${encodeURIComponent(provider)}/dry-run?service=${encodeURIComponent(service)}`);
      dry.textContent = result.changes.length === 0
        ? `${provider} serves ${service} plan v${result.planVersion}: nothing to change.`
        : `${provider} would make ${result.changes.length} change${result.changes.length === 1 ? '' : 's'} `
          + `for ${service} plan v${result.planVersion}:\n${result.changes.join('\n')}`;
    } catch (e) {
      dry.textContent = `${provider}: ${e.message}`;
      if (e.status === 401) {
        fail(e);
      }
    }
  });

  const stopWatching = watch({ hello: ['all'], plan: ['all'] }, reload, { badge: main.querySelector('.live'), fail });
  const timer = setInterval(() => reload().catch(() => {}), REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
    stopWatching();
  };
}

function row(s, committed, isOperator) {
  const tr = element('tr');
  tr.dataset.provider = s.provider;
  tr.dataset.service = s.service;
  const name = element('th', null, s.provider);
  name.scope = 'row';
  const serves = element('td');
  if (s.lastError) {
    serves.append(element('span', 'outcome outcome-fail', 'failing'), element('div', 'provider-error', s.lastError));
  } else if (committed != null && s.appliedVersion < committed) {
    serves.append(element('span', 'outcome outcome-active', `v${s.appliedVersion}, v${committed} pending`));
  } else {
    serves.append(element('span', 'outcome outcome-pass', `v${s.appliedVersion}`));
  }
  const drift = element('td', s.driftCorrected > 0 ? 'drift' : 'muted', String(s.driftCorrected));
  const action = element('td');
  if (isOperator) {
    const button = element('button', 'small secondary dry-run-button', 'Dry run');
    button.type = 'button';
    button.setAttribute('aria-label', `Dry run of ${s.provider} for ${s.service}`);
    action.append(button);
  } else {
    action.append(element('span', 'muted', 'operators only'));
  }
  tr.append(name, element('td', null, s.kind), element('td', null, s.service), serves,
    element('td', null, s.lastSync ? time(s.lastSync) : 'never'), drift, action);
  return tr;
}
