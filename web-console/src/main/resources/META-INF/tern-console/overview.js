// Overview: the cluster, what needs attention, every service's answer per client zone, and every
// backend's health.
// Three bulk requests fill it (no request per row); live.js says which of them each event
// repeats.

import { askReason } from './dialog.js';
import { element, healthBadge, link, percent, time } from './dom.js';
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
  // Grids of div rows rather than tables: each service is a block the browser may skip laying out
  // while it is off screen (content-visibility), which keeps 1,000 services fast.
  main.innerHTML = `
    <h1>Overview <span class="live" data-state="connecting">connecting…</span></h1>
    <section class="cluster" aria-label="Cluster"></section>
    <h2 id="attention-title">Needs attention</h2>
    <section class="attention" aria-labelledby="attention-title"></section>
    <h2 id="answers-title">Answers per client zone</h2>
    <div class="grid answers" role="table" aria-labelledby="answers-title">
      <div class="grid-head" role="row"><span role="columnheader">Service</span><span role="columnheader">Client zone</span>
        <span role="columnheader">Answer</span></div>
      <div class="grid-body"></div>
    </div>
    <h2 id="backends-title">Backends</h2>
    <div class="grid backends" role="table" aria-labelledby="backends-title">
      <div class="grid-head" role="row"><span role="columnheader">Service</span><span role="columnheader">Backend</span>
        <span role="columnheader">Cloud · region</span><span role="columnheader">Address</span>
        <span role="columnheader">Health</span><span role="columnheader">Drain</span></div>
      <div class="grid-body"></div>
    </div>`;
  const live = main.querySelector('.live');
  const clusterBox = main.querySelector('.cluster');
  const attentionBox = main.querySelector('.attention');
  const answersBody = main.querySelector('.answers .grid-body');
  const backendsBody = main.querySelector('.backends .grid-body');
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
      renderAttention(attentionBox, data.plans, data.backends);
    }
  }

  let stopped = false;

  async function reload(names) {
    performance.mark('tern:overview:fetch');
    const results = await Promise.all(names.map((name) => get(SOURCES[name])));
    if (stopped) {
      return;
    }
    names.forEach((name, i) => { data[name] = results[i]; });
    performance.mark('tern:overview:render');
    render(names);
    performance.mark('tern:overview:rendered');
  }

  backendsBody.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-drain]');
    if (!button) {
      return;
    }
    const { service, backend } = button.closest('.row').dataset;
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

/** At most this many items are listed; the rest are counted. */
const ATTENTION_SHOWN = 12;

/**
 * What an SRE must look at now: zones answering in fail-open or with nothing, backends the
 * verdict has taken out, and backends drained by hand, each linking to its service.
 */
function renderAttention(box, plans, backends) {
  const items = [];
  for (const plan of plans) {
    for (const zone of plan.zones) {
      if (zone.mode !== 'NORMAL') {
        items.push(['bad', plan.service, `${zone.zone} clients: ${zone.mode === 'FAIL_OPEN'
          ? 'fail-open, every allowed backend looks unhealthy' : 'answered with nothing'}`]);
      }
    }
  }
  for (const b of backends) {
    if (b.health === 'UNHEALTHY') {
      const seen = b.downVantages.length ? `, seen down by ${b.downVantages.join(', ')}` : '';
      items.push(['bad', b.service, `${b.name} UNHEALTHY since ${time(b.since)}${seen}`]);
    }
    if (b.drain) {
      items.push(['warn', b.service, `${b.name} drained by ${b.drain.actor}: ${b.drain.reason}`]);
    }
  }
  if (items.length === 0) {
    box.replaceChildren(element('p', 'all-clear', 'Nothing: every backend is healthy or unknown, none is drained, and every zone answers normally.'));
    return;
  }
  const list = element('ul', 'attention-list');
  for (const [kind, service, words] of items.slice(0, ATTENTION_SHOWN)) {
    const item = element('li', `attention-${kind}`);
    item.append(link(`#/service/${encodeURIComponent(service)}`, service), element('span', null, ` ${words}`));
    list.append(item);
  }
  box.replaceChildren(list);
  if (items.length > ATTENTION_SHOWN) {
    box.append(element('p', 'muted', `and ${items.length - ATTENTION_SHOWN} more; the timeline has the history.`));
  }
}

/** An off-screen block is not laid out; until it has been, it is assumed this tall per row. */
const ROW_HEIGHT_PX = 36;

function block(service, rows) {
  const e = element('div', 'block');
  e.setAttribute('role', 'rowgroup');
  e.dataset.service = service;
  e.style.containIntrinsicSize = `auto ${rows * ROW_HEIGHT_PX}px`;
  return e;
}

function row(service, key, value) {
  const e = element('div', 'row');
  e.setAttribute('role', 'row');
  e.dataset.service = service;
  e.dataset[key] = value;
  return e;
}

function cell(className, text) {
  const e = element('div', `cell ${className}`, text);
  e.setAttribute('role', 'cell');
  return e;
}

function renderAnswers(body, plans, backends) {
  const health = new Map(backends.map((b) => [`${b.service}/${b.name}`, b.health]));
  const blocks = document.createDocumentFragment();
  for (const plan of plans) {
    const group = block(plan.service, plan.zones.length);
    plan.zones.forEach((zone, i) => {
      const line = row(plan.service, 'zone', zone.zone);
      if (i === 0) {
        const name = cell('service');
        name.setAttribute('role', 'rowheader');
        name.style.gridRow = `span ${plan.zones.length}`;
        name.append(link(`#/service/${encodeURIComponent(plan.service)}`, plan.service, 'name'), element('span', 'hostname', plan.hostname));
        line.append(name);
      }
      line.append(cell('zone', zone.zone));
      const answers = cell('answer');
      if (zone.answers.length === 0) {
        answers.append(element('span', 'muted', 'no answer'));
      }
      for (const answer of zone.answers) {
        const item = element('div', 'answer-line');
        item.dataset.backend = answer.backend;
        item.append(
          element('span', 'backend', answer.backend),
          element('span', 'address', answer.address),
          element('span', 'weight', percent(answer.weight)),
          healthBadge(health.get(`${plan.service}/${answer.backend}`)));
        answers.append(item);
      }
      line.append(answers);
      group.append(line);
    });
    blocks.append(group);
  }
  body.replaceChildren(blocks);
}

function renderBackends(body, backends, canDrain) {
  const blocks = document.createDocumentFragment();
  let group = null;
  let count = 0;
  const close = () => {
    if (group) {
      group.style.containIntrinsicSize = `auto ${count * ROW_HEIGHT_PX}px`;
      blocks.append(group);
    }
  };
  for (const b of backends) {
    if (!group || group.dataset.service !== b.service) {
      close();
      group = block(b.service, 1);
      count = 0;
    }
    count++;
    const line = row(b.service, 'backend', b.name);
    const health = cell('health-cell');
    health.append(healthBadge(b.health));
    if (b.drain) {
      health.append(element('span', 'drained', 'DRAINED'));
    }
    const actions = cell('actions');
    if (canDrain) {
      const button = element('button', 'small', b.drain ? 'Undrain' : 'Drain');
      button.type = 'button';
      button.dataset.drain = b.drain ? 'undrain' : 'drain';
      actions.append(button);
    } else {
      actions.append(element('span', 'muted', b.drain ? `by ${b.drain.actor}` : ''));
    }
    line.append(
      cell('service', b.service),
      cell('backend', b.name),
      cell('where', `${b.cloud} · ${b.region}`),
      cell('address', b.address),
      health,
      actions);
    group.append(line);
  }
  close();
  body.replaceChildren(blocks);
}
