// World: every service's backends grouped by cloud and region, EU-resident ones marked, and the
// probe latency matrix as a heat map (rows: vantage points, columns: backends). Verdicts and
// services arrive on the event stream; latencies change without an event, so the page also
// refreshes every REFRESH_MS while it is shown.

import { element, healthBadge, time } from './dom.js';
import { get } from './api.js';
import { watch } from './live.js';

const REFRESH_MS = 5000;

const REFRESHES = {
  hello: ['backends', 'vantages'],
  service: ['backends', 'vantages'],
  verdicts: ['backends', 'vantages'],
  drain: ['backends'],
};

const SOURCES = {
  backends: '/api/v1/backends',
  vantages: '/api/v1/vantages',
};

/** Upper bounds (ms, exclusive) of the heat map's colour steps; the last step has none. */
const SCALE = [
  { below: 10, label: 'under 10 ms' },
  { below: 40, label: '10–40 ms' },
  { below: 100, label: '40–100 ms' },
  { below: 150, label: '100–150 ms' },
  { below: Infinity, label: '150 ms or more' },
];

const CLOUD_NAMES = { aws: 'AWS', azure: 'Azure', gcp: 'Google Cloud' };

export function renderWorld(main, { fail }) {
  main.innerHTML = `
    <h1>World <span class="live" data-state="connecting">connecting…</span></h1>
    <h2 id="world-backends-title">Backends by cloud and region</h2>
    <div class="world-clouds" aria-labelledby="world-backends-title"></div>
    <h2 id="world-latency-title">Probe latency</h2>
    <p class="muted">Smoothed latency each vantage point measures to each backend. Colour shows the
      latency band; a backend a vantage point calls down is marked “down”, one failing its latest
      checks “failing”, and a pair with no report “no data”.</p>
    <ul class="heat-legend" aria-label="Latency colour scale"></ul>
    <div class="heatmap-wrap" tabindex="0" role="region" aria-labelledby="world-latency-title">
      <table class="heatmap"><thead></thead><tbody></tbody></table>
    </div>
    <p class="world-updated muted" aria-live="off"></p>`;
  const live = main.querySelector('.live');
  const clouds = main.querySelector('.world-clouds');
  const head = main.querySelector('.heatmap thead');
  const body = main.querySelector('.heatmap tbody');
  const updated = main.querySelector('.world-updated');
  renderLegend(main.querySelector('.heat-legend'));
  const data = { backends: [], vantages: [] };
  let stopped = false;

  async function reload(names) {
    const results = await Promise.all(names.map((name) => get(SOURCES[name])));
    if (stopped) {
      return;
    }
    names.forEach((name, i) => { data[name] = results[i]; });
    renderClouds(clouds, data.backends);
    renderHeatmap(head, body, data.backends, data.vantages);
    updated.textContent = `Updated ${time(new Date().toISOString())}; latencies refresh every ${REFRESH_MS / 1000} s.`;
  }

  const stopWatching = watch(REFRESHES, reload, { badge: live, fail });
  const timer = setInterval(() => {
    reload(['backends', 'vantages']).catch((e) => { if (!stopped) fail(e); });
  }, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
    stopWatching();
  };
}

function renderLegend(list) {
  SCALE.forEach((step, i) => {
    const item = element('li');
    item.append(element('span', `swatch heat-${i}`), element('span', null, step.label));
    list.append(item);
  });
  const down = element('li');
  down.append(element('span', 'swatch heat-down', '✕'), element('span', null, 'down'));
  const failing = element('li');
  failing.append(element('span', 'swatch heat-failing', '!'), element('span', null, 'failing'));
  const missing = element('li');
  missing.append(element('span', 'swatch heat-missing'), element('span', null, 'no data'));
  list.append(down, failing, missing);
}

function renderClouds(box, backends) {
  const byCloud = new Map();
  for (const b of backends) {
    if (!byCloud.has(b.cloud)) {
      byCloud.set(b.cloud, new Map());
    }
    const regions = byCloud.get(b.cloud);
    if (!regions.has(b.region)) {
      regions.set(b.region, []);
    }
    regions.get(b.region).push(b);
  }
  const cards = document.createDocumentFragment();
  for (const cloud of [...byCloud.keys()].sort()) {
    const card = element('section', 'world-cloud');
    card.dataset.cloud = cloud;
    card.append(element('h3', null, CLOUD_NAMES[cloud] || cloud));
    const regions = byCloud.get(cloud);
    for (const region of [...regions.keys()].sort()) {
      const group = element('div', 'world-region');
      group.append(element('h4', null, `${cloud}:${region}`));
      const list = element('ul', 'world-backend-list');
      for (const b of regions.get(region)) {
        const item = element('li', 'world-backend');
        item.dataset.backend = `${b.service}/${b.name}`;
        item.dataset.jurisdiction = b.jurisdiction;
        const name = element('span', 'world-name', `${b.service}/${b.name}`);
        const where = element('span', 'world-meta', `${b.address} · jurisdiction ${b.jurisdiction}`);
        const badges = element('span', 'world-badges');
        if (b.jurisdiction === 'EU') {
          const eu = element('span', 'eu-badge', 'EU-resident');
          eu.title = 'Jurisdiction EU: may answer EU clients';
          badges.append(eu);
        }
        badges.append(healthBadge(b.health));
        if (b.drain) {
          badges.append(element('span', 'drained', 'DRAINED'));
        }
        item.append(name, badges, where);
        list.append(item);
      }
      group.append(list);
      card.append(group);
    }
    cards.append(card);
  }
  if (backends.length === 0) {
    cards.append(element('p', 'muted', 'No service has backends yet.'));
  }
  box.replaceChildren(cards);
}

function renderHeatmap(head, body, backends, vantages) {
  const columns = backends.map((b) => ({ key: `${b.service}/${b.name}`, backend: b,
    evidence: new Map((b.evidence || []).map((e) => [e.vantage, e])) }));
  const known = new Map(vantages.map((v) => [v.vantage, v]));
  const rows = [...new Set([...known.keys(), ...backends.flatMap((b) => (b.evidence || []).map((e) => e.vantage))])].sort();

  const headRow = element('tr');
  headRow.append(element('th', 'heat-corner', 'Vantage point'));
  for (const c of columns) {
    const th = element('th', 'heat-col', c.key);
    th.scope = 'col';
    th.dataset.backend = c.key;
    if (c.backend.jurisdiction === 'EU') {
      th.append(element('span', 'heat-eu', ' (EU)'));
    }
    headRow.append(th);
  }
  head.replaceChildren(headRow);

  const fragment = document.createDocumentFragment();
  for (const vantage of rows) {
    const status = known.get(vantage);
    const row = element('tr');
    row.dataset.vantage = vantage;
    const th = element('th', 'heat-row');
    th.scope = 'row';
    th.append(element('span', 'heat-vantage', vantage));
    const words = vantageWords(status);
    const state = element('span', `heat-state heat-state-${words.state}`, words.text);
    th.append(state);
    row.dataset.state = words.state;
    row.append(th);
    for (const c of columns) {
      row.append(cell(vantage, c));
    }
    fragment.append(row);
  }
  if (rows.length === 0) {
    const row = element('tr');
    const td = element('td', 'muted', 'No vantage point has reported yet.');
    td.colSpan = columns.length + 1;
    row.append(td);
    fragment.append(row);
  }
  body.replaceChildren(fragment);
}

function vantageWords(status) {
  if (!status) {
    return { state: 'unknown', text: 'not heard by this node' };
  }
  if (status.isolated) {
    return { state: 'cut-off', text: 'cut off: set aside' };
  }
  if (status.stale) {
    return { state: 'stale', text: `stale since ${time(status.lastSeen)}` };
  }
  return { state: 'ok', text: `reporting on ${status.backends}` };
}

function cell(vantage, column) {
  const td = element('td', 'heat-cell');
  td.dataset.backend = column.key;
  const e = column.evidence.get(vantage);
  if (!e) {
    td.classList.add('heat-missing');
    td.dataset.opinion = 'NONE';
    td.textContent = 'no data';
    td.title = `${vantage} has not reported on ${column.key}`;
    return td;
  }
  td.dataset.opinion = e.opinion;
  const ms = e.latencyMs;
  if (ms !== null && ms !== undefined) {
    td.dataset.latency = String(ms);
  }
  const value = ms === null || ms === undefined ? '—' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (e.opinion === 'DOWN') {
    td.classList.add('heat-down');
    td.textContent = `✕ down`;
    td.title = `${vantage} calls ${column.key} down${e.lastError ? `: ${e.lastError}` : ''}`;
    return td;
  }
  if (e.consecutiveFailed > 0) {
    td.classList.add('heat-failing');
    td.textContent = `! failing`;
    td.title = `${vantage}: ${e.consecutiveFailed} failed checks in a row${e.lastError ? `: ${e.lastError}` : ''}`;
    return td;
  }
  const step = ms === null || ms === undefined ? -1 : SCALE.findIndex((s) => ms < s.below);
  td.classList.add(step < 0 ? 'heat-missing' : `heat-${step}`);
  td.textContent = value;
  td.title = `${vantage} → ${column.key}: ${value}, ${e.opinion.toLowerCase()}, last seen ${time(e.lastSeen)}`;
  return td;
}
