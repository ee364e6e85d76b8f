// Alerts: the incidents Tern opened (open ones first), each with its timeline of updates and
// deliveries to every route, and the alerting routes with their standing and, for admins, a
// "Send test alert" per route. Incidents are derived by the cluster; nothing here changes them.

import { element, link, time } from './dom.js';
import { get, request, roleCovers } from './api.js';
import { watch } from './live.js';

export function renderAlerts(main, { me, fail }) {
  const isAdmin = roleCovers(me.role, 'admin');
  main.innerHTML = `
    <h1>Alerts <span class="live" data-state="connecting">connecting…</span></h1>
    <h2>Incidents</h2>
    <p class="incidents-count muted" role="status"></p>
    <div class="incident-list"></div>
    <h2>Routes</h2>
    <p class="muted">Where incidents are paged (configured in <code>tern.alerting.routes</code>, docs/alerting.md).</p>
    <div class="table-wrap">
      <table class="routes-table">
        <thead><tr><th scope="col">Route</th><th scope="col">Sink</th><th scope="col">Takes</th>
          <th scope="col">Standing</th><th scope="col">Test</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <p class="test-result" role="status"></p>`;
  const list = main.querySelector('.incident-list');
  const count = main.querySelector('.incidents-count');
  const routesBody = main.querySelector('.routes-table tbody');
  const testResult = main.querySelector('.test-result');
  const open = new Set();
  let stopped = false;

  async function reload() {
    const [incidents, routes] = await Promise.all([get('/api/v1/incidents?limit=50'), get('/api/v1/alerting/routes')]);
    if (stopped) {
      return;
    }
    const active = incidents.filter((i) => i.open);
    count.textContent = incidents.length === 0 ? 'No incidents yet.'
      : `${active.length} open; ${incidents.length - active.length} recent resolved.`;
    const ordered = [...active, ...incidents.filter((i) => !i.open)];
    list.replaceChildren(...ordered.map((i) => incidentCard(i, open)));
    routesBody.replaceChildren(...(routes.length === 0
      ? [emptyRow('No route is configured: incidents are kept and shown here, but nobody is paged.')]
      : routes.map((r) => routeRow(r, isAdmin))));
  }

  list.addEventListener('toggle', (event) => {
    const details = event.target.closest('details[data-incident]');
    if (details) {
      if (details.open) {
        open.add(details.dataset.incident);
      } else {
        open.delete(details.dataset.incident);
      }
    }
  }, true);

  routesBody.addEventListener('click', async (event) => {
    const button = event.target.closest('button.send-test');
    if (!button) {
      return;
    }
    const name = button.closest('tr').dataset.route;
    testResult.textContent = `Sending a test alert through ${name}…`;
    try {
      const result = await request('POST', `/api/v1/alerting/routes/${encodeURIComponent(name)}/test`);
      testResult.textContent = result.outcome === 'delivered'
        ? `${name}: the test alert was delivered.`
        : `${name}: not delivered: ${result.detail}`;
    } catch (e) {
      testResult.textContent = `${name}: ${e.message}`;
      if (e.status === 401) {
        fail(e);
      }
    }
  });

  const stopWatching = watch({ hello: ['all'], incident: ['all'], plan: ['all'], verdicts: ['all'] }, reload,
    { badge: main.querySelector('.live'), fail });
  return () => {
    stopped = true;
    stopWatching();
  };
}

function emptyRow(text) {
  const row = element('tr');
  const cell = element('td', 'muted', text);
  cell.colSpan = 5;
  row.append(cell);
  return row;
}

function incidentCard(incident, open) {
  const card = element('details', `incident ${incident.open ? 'incident-open' : 'incident-resolved'}`);
  card.dataset.incident = String(incident.id);
  card.open = open.has(String(incident.id));
  const summary = element('summary');
  const state = element('span', `outcome ${incident.open ? 'outcome-fail' : 'outcome-pass'}`,
    incident.open ? 'OPEN' : 'RESOLVED');
  summary.append(state, element('span', 'incident-title', ` #${incident.id} ${incident.summary}`));
  if (incident.chaosRun) {
    summary.append(element('span', 'chaos-tag', `chaos test ${incident.chaosRun}`));
  }
  const facts = element('dl', 'incident-facts');
  const fact = (term, value) => {
    if (value) {
      facts.append(element('dt', null, term), element('dd', null, value));
    }
  };
  fact('Service', incident.service);
  fact('Kind', incident.kind);
  fact('Failed', incident.failed.join(', '));
  fact('Seen down by', incident.seenBy.join(', '));
  fact('Detected', incident.detectedAt ? time(incident.detectedAt) : null);
  fact('Opened', time(incident.openedAt));
  fact('Resolved', incident.resolvedAt ? time(incident.resolvedAt) : null);
  const steps = [{ at: incident.openedAt, what: `opened: ${incident.summary}` },
    ...incident.updates.map((u) => ({ at: u.at, what: u.what })),
    ...incident.deliveries.map((d) => ({ at: d.at, what: `${d.event} to ${d.route}: ${d.outcome}` }))]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const timeline = element('ol', 'incident-timeline');
  for (const s of steps) {
    timeline.append(element('li', null, `${time(s.at)}: ${s.what}`));
  }
  const moved = element('pre', 'incident-changes', incident.changes.join('\n') || 'nothing moved');
  const links = element('p');
  links.append(link('#/timeline', 'Plan changes in the timeline'));
  if (incident.chaosRun) {
    links.append(' · ', link('#/chaos', `Chaos run ${incident.chaosRun}`));
  }
  card.append(summary, facts, element('h3', null, 'What moved'), moved, element('h3', null, 'Timeline'), timeline, links);
  return card;
}

function routeRow(route, isAdmin) {
  const row = element('tr');
  row.dataset.route = route.name;
  const name = element('th', null, route.name);
  name.scope = 'row';
  const takes = [route.kinds.length ? route.kinds.join(', ') : 'every kind',
    route.services.length ? route.services.join(', ') : 'every service', `chaos tests: ${route.chaos}`].join('; ');
  const standing = route.consecutiveFailures >= 3
    ? element('span', 'outcome outcome-fail', `failing (${route.consecutiveFailures} in a row)`)
    : element('span', 'outcome outcome-pass', 'ok');
  const test = element('td');
  if (isAdmin) {
    const button = element('button', 'small secondary send-test', 'Send test alert');
    button.type = 'button';
    button.setAttribute('aria-label', `Send test alert through ${route.name}`);
    test.append(button);
  } else {
    test.append(element('span', 'muted', 'admins only'));
  }
  const standingCell = element('td');
  standingCell.append(standing);
  row.append(name, element('td', null, route.sink), element('td', 'takes', takes), standingCell, test);
  return row;
}
