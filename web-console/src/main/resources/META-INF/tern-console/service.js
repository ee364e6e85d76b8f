// Service detail: one service's plan per client zone with the engine's explanation, and per
// backend its health, the evidence behind the verdict, a latency chart over the last minutes, its
// share of the answers and, for operators, drain / undrain with a reason. Without a name it lists
// the services to choose from.

import { askReason } from './dialog.js';
import { element, healthBadge, link, percent, time } from './dom.js';
import { ApiError, get, request, roleCovers } from './api.js';
import { watch } from './live.js';

/** Which data each event type changes. */
const REFRESHES = {
  hello: ['service', 'plan', 'backends', 'latency'],
  service: ['service', 'plan', 'backends'],
  plan: ['plan'],
  // A verdict changes with what the probes saw, so the charts follow it at once.
  verdicts: ['backends', 'latency'],
  drain: ['backends'],
};

/** Latency changes without events: the charts are redrawn this often. */
const LATENCY_REFRESH_MS = 15_000;

const SVG = 'http://www.w3.org/2000/svg';
/** Line colours for vantage points, told apart also by the legend's order and labels. */
const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#0e7490', '#a16207', '#be185d', '#4b5563'];

export function renderService(main, context) {
  return context.param ? renderOne(main, context) : renderServiceList(main, context, 'Services', '#/service/');
}

/** The services as links to one page per service (hashPrefix + name); returns the stop function. */
export function renderServiceList(main, { fail }, title, hashPrefix) {
  main.replaceChildren(element('h1', null, title));
  const list = element('ul', 'service-list');
  main.append(list);
  let stopped = false;
  get('/api/v1/services').then((services) => {
    if (stopped) {
      return;
    }
    if (services.length === 0) {
      list.append(element('li', 'muted', 'No services yet.'));
    }
    for (const s of services) {
      const item = element('li');
      item.append(link(`${hashPrefix}${encodeURIComponent(s.name)}`, s.name), element('span', 'muted', ` ${s.hostname}`));
      list.append(item);
    }
  }).catch((e) => { if (!stopped) fail(e); });
  return () => { stopped = true; };
}

function renderOne(main, { me, fail, param: name }) {
  const encoded = encodeURIComponent(name);
  main.innerHTML = `
    <h1><span class="title"></span> <span class="live" data-state="connecting">connecting…</span></h1>
    <section class="service-summary" aria-label="Service"></section>
    <h2>Plan per client zone</h2>
    <div class="zones"></div>
    <h2>Backends</h2>
    <div class="backend-cards"></div>`;
  main.querySelector('.title').textContent = name;
  const summary = main.querySelector('.service-summary');
  const zonesBox = main.querySelector('.zones');
  const cardsBox = main.querySelector('.backend-cards');
  const canDrain = roleCovers(me.role, 'operator');
  const data = { service: null, plan: null, backends: [], latency: new Map() };
  const cards = new Map();

  const sources = {
    service: () => get(`/api/v1/services/${encoded}`),
    plan: () => get(`/api/v1/services/${encoded}/plan`).catch((e) => {
      if (e instanceof ApiError && e.status === 404 && data.service) {
        return null; // No plan yet: the leader decides within a second.
      }
      throw e;
    }),
    backends: () => get(`/api/v1/services/${encoded}/backends`),
    latency: async () => {
      const names = data.backends.map((b) => b.name);
      const results = await Promise.all(names.map((b) =>
        get(`/api/v1/services/${encoded}/backends/${encodeURIComponent(b)}/latency`)));
      return new Map(names.map((b, i) => [b, results[i]]));
    },
  };

  let stopped = false;

  async function reload(names) {
    // The service first: the plan's 404 means "no plan yet" only for a service that exists.
    const order = ['service', 'plan', 'backends', 'latency'].filter((n) => names.includes(n));
    for (const n of order) {
      const value = await sources[n]();
      if (stopped) {
        return;
      }
      data[n] = value;
    }
    if (order.includes('service') || order.includes('plan')) {
      renderSummary(summary, data.service, data.plan);
      renderZones(zonesBox, data.plan, data.backends);
    }
    if (order.includes('backends')) {
      renderZones(zonesBox, data.plan, data.backends);
      renderCards(cardsBox, cards, data, canDrain);
    }
    if (order.includes('backends') || order.includes('latency') || order.includes('plan')) {
      for (const b of data.backends) {
        const card = cards.get(b.name);
        if (!card) {
          continue;
        }
        card.chart.replaceChildren(latencyChart(data.latency.get(b.name)));
        card.dial.replaceChildren(trafficDial(b.name, data.plan));
      }
    }
  }

  cardsBox.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-drain]');
    if (!button) {
      return;
    }
    const backend = button.closest('[data-backend]').dataset.backend;
    const draining = button.dataset.drain === 'drain';
    const reason = await askReason(`${draining ? 'Drain' : 'Undrain'} ${backend} of ${name}`, draining ? 'Drain' : 'Undrain');
    if (!reason) {
      return;
    }
    try {
      await request(draining ? 'PUT' : 'DELETE',
        `/api/v1/services/${encoded}/backends/${encodeURIComponent(backend)}/drain?reason=${encodeURIComponent(reason)}`);
    } catch (e) {
      fail(e);
    }
  });

  const stopWatching = watch(REFRESHES, reload, { badge: main.querySelector('.live'), fail });
  const timer = setInterval(() => {
    reload(['latency']).catch((e) => { if (!stopped) fail(e); });
  }, LATENCY_REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
    stopWatching();
  };
}

function renderSummary(box, service, plan) {
  const list = element('dl');
  const items = [
    ['Hostname', service.hostname],
    ['Policy version', String(service.policyVersion)],
    ['Plan version', plan ? String(plan.version) : 'no plan yet'],
    ['Decided at', plan ? time(plan.decidedAt) : '—'],
    ['TTL', plan ? `${plan.ttl} s` : '—'],
  ];
  for (const [term, value] of items) {
    list.append(element('dt', null, term), element('dd', null, value));
  }
  const links = element('p', 'service-links');
  links.append(link(`#/policy/${encodeURIComponent(service.name)}`, 'Policy'), link('#/timeline', 'Timeline'));
  box.replaceChildren(list, links);
}

function renderZones(box, plan, backends) {
  if (!plan) {
    box.replaceChildren(element('p', 'muted', 'No plan yet: the leader decides within a second of the policy.'));
    return;
  }
  const health = new Map(backends.map((b) => [b.name, b.health]));
  const zones = document.createDocumentFragment();
  for (const zone of plan.zones) {
    const card = element('section', 'zone-card');
    card.dataset.zone = zone.zone;
    const heading = element('h3');
    heading.append(element('span', null, zone.zone), element('span', `mode mode-${zone.mode.toLowerCase()}`, zone.mode.replaceAll('_', ' ')));
    card.append(heading);
    if (zone.answers.length === 0) {
      card.append(element('p', 'muted', 'No answer'));
    }
    const bars = element('ul', 'weight-bars');
    for (const answer of zone.answers) {
      const row = element('li', 'weight-bar');
      row.dataset.backend = answer.backend;
      const track = element('span', 'bar-track');
      const fill = element('span', 'bar-fill');
      fill.style.width = `${answer.weight / 10}%`;
      track.append(fill);
      row.append(element('span', 'backend', answer.backend), track, element('span', 'weight', percent(answer.weight)),
        healthBadge(health.get(answer.backend)));
      bars.append(row);
    }
    card.append(bars);
    const why = element('ul', 'explanation');
    for (const line of zone.explanation) {
      why.append(element('li', null, line));
    }
    card.append(why);
    zones.append(card);
  }
  box.replaceChildren(zones);
}

/** Cards are built once per backend and updated in place, so live updates do not move the page. */
function renderCards(box, cards, data, canDrain) {
  const names = new Set(data.backends.map((b) => b.name));
  for (const [name, card] of cards) {
    if (!names.has(name)) {
      card.root.remove();
      cards.delete(name);
    }
  }
  for (const b of data.backends) {
    let card = cards.get(b.name);
    if (!card) {
      card = newCard(b.name);
      cards.set(b.name, card);
    }
    box.append(card.root); // Keeps policy order.
    fillCard(card, b, canDrain);
  }
}

function newCard(name) {
  const root = element('article', 'backend-card');
  root.dataset.backend = name;
  const head = element('header');
  const title = element('h3', null, name);
  const badges = element('span', 'badges');
  const action = element('span', 'action');
  head.append(title, badges, action);
  const facts = element('dl', 'facts');
  const verdict = element('p', 'verdict');
  const dial = element('div', 'dial');
  const chart = element('figure', 'latency-chart');
  const evidence = element('div', 'evidence');
  const body = element('div', 'card-body');
  const side = element('div', 'card-side');
  side.append(dial);
  const main = element('div', 'card-main');
  main.append(facts, verdict, chart);
  body.append(main, side);
  root.append(head, body, evidence);
  return { root, badges, action, facts, verdict, dial, chart, evidence };
}

function fillCard(card, b, canDrain) {
  card.badges.replaceChildren(healthBadge(b.health));
  if (b.jurisdiction === 'EU') {
    card.badges.append(element('span', 'eu-badge', 'EU-resident'));
  }
  if (b.drain) {
    card.badges.append(element('span', 'drained', 'DRAINED'));
  }
  const k8s = b.discovered;
  if (k8s) {
    const mark = element('span', 'k8s-badge', k8s.pinned ? 'k8s · pinned' : 'k8s');
    mark.title = `Discovered in Kubernetes cluster ${k8s.cluster}: ${k8s.kind} ${k8s.namespace}/${k8s.name}`;
    card.badges.append(mark);
    if (!k8s.ready) {
      card.badges.append(element('span', 'k8s-warn', 'no ready endpoint'));
    }
    if (k8s.clusterStale) {
      card.badges.append(element('span', 'k8s-warn', 'cluster stale'));
    }
  }
  card.action.replaceChildren();
  if (canDrain) {
    const button = element('button', 'small', b.drain ? 'Undrain' : 'Drain');
    button.type = 'button';
    button.dataset.drain = b.drain ? 'undrain' : 'drain';
    card.action.append(button);
  }
  const facts = [
    ['Where', `${b.cloud} · ${b.region}`],
    ['Jurisdiction', b.jurisdiction],
    ['Address', b.address],
    ['Weight · priority · capacity', `${b.weight} · ${b.priority} · ${b.capacity}`],
  ];
  if (k8s) {
    facts.push(['Discovered', `${k8s.cluster} · ${k8s.kind} ${k8s.namespace}/${k8s.name}`
      + `${k8s.ready ? '' : ' · no ready endpoint'}${k8s.clusterStale ? ' · cluster stale, as last seen' : ''}`]);
  }
  card.facts.replaceChildren();
  for (const [term, value] of facts) {
    card.facts.append(element('dt', null, term), element('dd', null, value));
  }
  const down = b.downVantages.length ? ` Seen down by ${b.downVantages.join(', ')}.` : '';
  const drained = b.drain ? ` Drained by ${b.drain.actor} at ${time(b.drain.at)}: ${b.drain.reason}.` : '';
  card.verdict.textContent = `${b.health} since ${time(b.since)}: ${b.reason}.${down}${drained}`;
  card.evidence.replaceChildren(evidenceTable(b));
}

function evidenceTable(b) {
  if (b.evidence.length === 0) {
    return element('p', 'muted', 'No probe has reported on this backend to this node yet.');
  }
  const table = element('table', 'evidence-table');
  table.innerHTML = `
    <caption>Evidence per vantage point (this node's view)</caption>
    <colgroup><col class="c-vantage"><col class="c-opinion"><col class="c-seen"><col class="c-latency"><col class="c-streak"><col class="c-error"></colgroup>
    <thead><tr><th scope="col">Vantage</th><th scope="col">Opinion</th><th scope="col">Last seen</th>
      <th scope="col">Latency</th><th scope="col">Streak</th><th scope="col">Last error</th></tr></thead>
    <tbody></tbody>`;
  const body = table.querySelector('tbody');
  for (const e of b.evidence) {
    const row = element('tr');
    row.dataset.vantage = e.vantage;
    const opinion = element('td');
    opinion.append(element('span', `opinion opinion-${e.opinion.toLowerCase()}`, e.opinion));
    const streak = e.consecutiveFailed > 0 ? `${e.consecutiveFailed} failed` : `${e.consecutiveOk} ok`;
    row.append(element('td', 'vantage', e.vantage), opinion, element('td', null, time(e.lastSeen)),
      element('td', 'latency', e.latencyMs === null || e.latencyMs === undefined ? '—' : `${e.latencyMs} ms`),
      element('td', null, streak), element('td', 'last-error', e.lastError || ''));
    body.append(row);
  }
  return table;
}

function svg(tag, attributes) {
  const e = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    e.setAttribute(key, String(value));
  }
  return e;
}

/**
 * Mean latency per bucket, one line per vantage point; a bucket with failed checks gets a red mark
 * along the top. The figure's caption says it in words for readers who cannot see the chart.
 */
function latencyChart(history) {
  const fragment = document.createDocumentFragment();
  const width = 600;
  const height = 150;
  const left = 44;
  const bottom = 20;
  const top = 10;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  chart.classList.add('chart');
  if (!history) {
    fragment.append(element('figcaption', 'muted', 'Latency: loading…'));
    return fragment;
  }
  const from = Date.parse(history.from);
  const to = Date.parse(history.to);
  const means = history.series.flatMap((s) => s.points.map((p) => p.meanMs).filter((m) => m !== null));
  const ceiling = niceCeiling(Math.max(1, ...means));
  const x = (at) => left + ((Date.parse(at) + history.bucketSeconds * 500 - from) / (to - from)) * (width - left - 4);
  const y = (ms) => top + (1 - ms / ceiling) * (height - top - bottom);

  for (const fraction of [0, 0.5, 1]) {
    const value = ceiling * fraction;
    chart.append(svg('line', { x1: left, x2: width - 4, y1: y(value), y2: y(value), class: 'grid' }));
    const label = svg('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'axis' });
    label.textContent = `${formatMs(value)}`;
    chart.append(label);
  }
  const minutes = Math.round((to - from) / 60000);
  for (const [fraction, words] of [[0, `−${minutes} min`], [0.5, `−${minutes / 2} min`], [1, 'now']]) {
    const label = svg('text', { x: left + fraction * (width - left - 4), y: height - 4,
      'text-anchor': fraction === 0 ? 'start' : fraction === 1 ? 'end' : 'middle', class: 'axis' });
    label.textContent = words;
    chart.append(label);
  }
  const legend = element('ul', 'legend');
  let failedBuckets = 0;
  history.series.forEach((series, i) => {
    const colour = PALETTE[i % PALETTE.length];
    let path = '';
    let pen = 'M';
    for (const p of series.points) {
      if (p.meanMs === null) {
        pen = 'M'; // A bucket with only failures breaks the line.
        continue;
      }
      path += `${pen}${x(p.at).toFixed(1)},${y(p.meanMs).toFixed(1)} `;
      pen = 'L';
    }
    if (path) {
      chart.append(svg('path', { d: path, stroke: colour, fill: 'none', 'stroke-width': 2 }));
    }
    // A dot per bucket, so that a single bucket (or one between failures) still shows.
    for (const p of series.points.filter((q) => q.meanMs !== null)) {
      chart.append(svg('circle', { cx: x(p.at).toFixed(1), cy: y(p.meanMs).toFixed(1), r: 2.5, fill: colour }));
    }
    for (const p of series.points.filter((q) => q.failed > 0)) {
      failedBuckets++;
      const mark = svg('rect', { x: x(p.at) - 3, y: 0, width: 6, height: 6, class: 'failed-mark' });
      const title = svg('title');
      title.textContent = `${series.vantage}: ${p.failed} failed at ${time(p.at)}`;
      mark.append(title);
      chart.append(mark);
    }
    const item = element('li');
    const swatch = element('span', 'swatch');
    swatch.style.background = colour;
    item.append(swatch, element('span', null, series.vantage));
    legend.append(item);
  });
  const words = history.series.length === 0
    ? `No checks in the last ${minutes} minutes.`
    : `Mean latency per ${history.bucketSeconds} s from ${history.series.length} vantage points over the last ${minutes} minutes`
      + `, up to ${formatMs(Math.max(...means, 0))}; ${failedBuckets} intervals with failed checks (red marks).`;
  chart.setAttribute('aria-label', words);
  const caption = element('figcaption', null, words);
  fragment.append(chart, legend, caption);
  return fragment;
}

function niceCeiling(value) {
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (value * 1.1 <= m * step) {
      return m * step;
    }
  }
  return 10 * step;
}

function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/**
 * The backend's share of the answers: a gauge of its mean weight over the client zones, and the
 * weight in each zone in words. Zones count equally: the plan does not know how many queries each
 * zone sends.
 */
function trafficDial(backend, plan) {
  const fragment = document.createDocumentFragment();
  if (!plan) {
    return fragment;
  }
  const perZone = plan.zones.map((z) => {
    const answer = z.answers.find((a) => a.backend === backend);
    return { zone: z.zone, weight: answer ? answer.weight : 0 };
  });
  const mean = perZone.reduce((sum, z) => sum + z.weight, 0) / Math.max(1, perZone.length);
  const share = mean / 1000;
  const dial = svg('svg', { viewBox: '0 0 120 70', role: 'img',
    'aria-label': `Traffic dial: ${percent(Math.round(mean))} of answers averaged over ${perZone.length} client zones` });
  dial.classList.add('dial-gauge');
  const arc = (fraction) => {
    const angle = Math.PI * (1 - fraction);
    return `${(60 + 50 * Math.cos(angle)).toFixed(2)},${(62 - 50 * Math.sin(angle)).toFixed(2)}`;
  };
  dial.append(svg('path', { d: `M10,62 A50,50 0 0 1 110,62`, class: 'dial-track' }));
  if (share > 0) {
    dial.append(svg('path', { d: `M10,62 A50,50 0 0 1 ${arc(Math.min(share, 0.9999))}`, class: 'dial-fill' }));
  }
  const value = svg('text', { x: 60, y: 58, 'text-anchor': 'middle', class: 'dial-value' });
  value.textContent = percent(Math.round(mean));
  dial.append(value);
  const label = element('p', 'dial-label', 'Traffic dial');
  const zones = element('ul', 'dial-zones');
  for (const z of perZone) {
    zones.append(element('li', null, `${z.zone} ${percent(z.weight)}`));
  }
  fragment.append(label, dial, zones);
  return fragment;
}
