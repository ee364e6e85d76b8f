// Overview: the cluster, every service's answer per client zone, and every backend's health.
// Three bulk requests fill it (no request per row); live.js says which of them each event
// repeats.

import { askReason } from './dialog.js';
import { element, healthBadge, link, percent } from './dom.js';
import { get, request, roleCovers } from './api.js';
import { watch } from './live.js';

/** Which data each event type changes. */
const REFRESHES = {
  hello: ['cluster', 'plans', 'backends'],
  leader: ['cluster'],
  membership: ['cluster'],
  service: ['plans', 'backends'],
  plan: ['plans'],
  verdicts: ['backends'],
  drain: ['backends'],
};

const SOURCES = {
  cluster: '/api/v1/cluster',
  plans: '/api/v1/plans',
  backends: '/api/v1/backends',
};

export function renderOverview(main, { me, fail }) {
  main.innerHTML = `
    <h1>Overview <span class="live" data-state="connecting">connecting…</span></h1>
    <section class="cluster" aria-label="Cluster"></section>
    <h2>Answers per client zone</h2>
    <table class="answers">
      <colgroup><col class="c-service"><col class="c-zone"><col class="c-answer"></colgroup>
      <thead><tr><th scope="col">Service</th><th scope="col">Client zone</th><th scope="col">Answer</th></tr></thead>
      <tbody></tbody>
    </table>
    <h2>Backends</h2>
    <table class="backends">
      <colgroup><col class="c-service"><col class="c-backend"><col class="c-where"><col class="c-address">
        <col class="c-health"><col class="c-actions"></colgroup>
      <thead><tr><th scope="col">Service</th><th scope="col">Backend</th><th scope="col">Cloud · region</th>
        <th scope="col">Address</th><th scope="col">Health</th><th scope="col">Drain</th></tr></thead>
      <tbody></tbody>
    </table>`;
  const live = main.querySelector('.live');
  const clusterBox = main.querySelector('.cluster');
  const answersBody = main.querySelector('.answers tbody');
  const backendsBody = main.querySelector('.backends tbody');
  const canDrain = roleCovers(me.role, 'operator');
  const data = { cluster: null, plans: [], backends: [] };

  function render(names) {
    if (names.includes('cluster')) {
      renderCluster(clusterBox, data.cluster);
    }
    if (names.includes('backends')) {
      renderBackends(backendsBody, data.backends, canDrain);
    }
    // Answers show each backend's health, so they follow either source.
    if (names.includes('plans') || names.includes('backends')) {
      renderAnswers(answersBody, data.plans, data.backends);
    }
  }

  let stopped = false;

  async function reload(names) {
    const results = await Promise.all(names.map((name) => get(SOURCES[name])));
    if (stopped) {
      return;
    }
    names.forEach((name, i) => { data[name] = results[i]; });
    render(names);
  }

  backendsBody.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-drain]');
    if (!button) {
      return;
    }
    const { service, backend } = button.closest('tr').dataset;
    const draining = button.dataset.drain === 'drain';
    const reason = await askReason(`${draining ? 'Drain' : 'Undrain'} ${backend} of ${service}`,
      draining ? 'Drain' : 'Undrain');
    if (!reason) {
      return;
    }
    const path = `/api/v1/services/${encodeURIComponent(service)}/backends/${encodeURIComponent(backend)}/drain`
      + `?reason=${encodeURIComponent(reason)}`;
    try {
      await request(draining ? 'PUT' : 'DELETE', path);
    } catch (e) {
      fail(e);
    }
  });

  const stopWatching = watch(REFRESHES, reload, { badge: live, fail });
  return () => {
    stopped = true;
    stopWatching();
  };
}

function renderCluster(box, status) {
  const reachable = status.members.filter((m) => status.connected.some((c) => m.startsWith(c))).length;
  const health = reachable === status.members.length ? 'HEALTHY'
    : reachable > status.members.length / 2 ? 'DEGRADED' : 'NO QUORUM';
  const items = [
    ['Leader', status.leaderId || 'none elected'],
    ['Cluster', `${reachable} of ${status.members.length} nodes connected`],
    ['This node', `${status.node}${status.leader ? ' (leader)' : ''}`],
    ['Term', String(status.term)],
    ['Policy version', String(status.policyVersion)],
  ];
  const list = element('dl');
  for (const [term, value] of items) {
    list.append(element('dt', null, term), element('dd', null, value));
  }
  const badge = element('span', `health cluster-health health-${health.toLowerCase().replace(' ', '-')}`, health);
  box.replaceChildren(badge, list);
}

function renderAnswers(body, plans, backends) {
  const health = new Map(backends.map((b) => [`${b.service}/${b.name}`, b.health]));
  const rows = document.createDocumentFragment();
  for (const plan of plans) {
    plan.zones.forEach((zone, i) => {
      const row = element('tr');
      row.dataset.service = plan.service;
      row.dataset.zone = zone.zone;
      if (i === 0) {
        const name = element('th', 'service');
        name.scope = 'rowgroup';
        name.rowSpan = plan.zones.length;
        name.append(link(`#/service/${encodeURIComponent(plan.service)}`, plan.service, 'name'), element('span', 'hostname', plan.hostname));
        row.append(name);
      }
      row.append(element('td', 'zone', zone.zone));
      const cell = element('td', 'answer');
      if (zone.answers.length === 0) {
        cell.append(element('span', 'muted', 'no answer'));
      }
      for (const answer of zone.answers) {
        const line = element('div', 'answer-line');
        line.dataset.backend = answer.backend;
        line.append(
          element('span', 'backend', answer.backend),
          element('span', 'address', answer.address),
          element('span', 'weight', percent(answer.weight)),
          healthBadge(health.get(`${plan.service}/${answer.backend}`)));
        cell.append(line);
      }
      row.append(cell);
      rows.append(row);
    });
  }
  body.replaceChildren(rows);
}

function renderBackends(body, backends, canDrain) {
  const rows = document.createDocumentFragment();
  for (const b of backends) {
    const row = element('tr');
    row.dataset.service = b.service;
    row.dataset.backend = b.name;
    const health = element('td', 'health-cell');
    health.append(healthBadge(b.health));
    if (b.drain) {
      health.append(element('span', 'drained', 'DRAINED'));
    }
    const actions = element('td', 'actions');
    if (canDrain) {
      const button = element('button', 'small', b.drain ? 'Undrain' : 'Drain');
      button.type = 'button';
      button.dataset.drain = b.drain ? 'undrain' : 'drain';
      actions.append(button);
    } else {
      actions.append(element('span', 'muted', b.drain ? `by ${b.drain.actor}` : ''));
    }
    row.append(
      element('td', 'service', b.service),
      element('td', 'backend', b.name),
      element('td', 'where', `${b.cloud} · ${b.region}`),
      element('td', 'address', b.address),
      health,
      actions);
    rows.append(row);
  }
  body.replaceChildren(rows);
}
