// Timeline: every plan change, newest first, with what caused it (health, an operator, the
// routing method), the leader and term that decided it, detection and decision times for
// failovers, the answers that moved, and a link to its audit entry. New changes appear at the top as they are committed.

import { element, link, time } from './dom.js';
import { get } from './api.js';
import { watch } from './live.js';

const PAGE = 50;
const KIND_WORDS = {
  failover: 'Failover', failback: 'Failback', policy: 'Policy', drain: 'Drain', undrain: 'Undrain', engine: 'Re-decided',
};

export function renderTimeline(main, { fail }) {
  main.innerHTML = `
    <h1>Timeline <span class="live" data-state="connecting">connecting…</span></h1>
    <form class="timeline-filter">
      <label>Service <select name="service"><option value="">All services</option></select></label>
    </form>
    <p class="timeline-count muted" role="status"></p>
    <ol class="timeline" aria-label="Plan changes, newest first"></ol>
    <button type="button" class="secondary load-more" hidden>Load more</button>`;
  const select = main.querySelector('select');
  const list = main.querySelector('.timeline');
  const count = main.querySelector('.timeline-count');
  const more = main.querySelector('.load-more');
  let stopped = false;
  let shown = [];

  function path(extra) {
    const params = new URLSearchParams({ limit: String(PAGE), ...extra });
    if (select.value) {
      params.set('service', select.value);
    }
    return `/api/v1/timeline?${params}`;
  }

  function say() {
    count.textContent = shown.length === 0
      ? 'No plan changes yet.' : `${shown.length} plan change${shown.length === 1 ? '' : 's'} shown, newest first.`;
  }

  async function loadServices() {
    const services = await get('/api/v1/services');
    const chosen = select.value;
    select.replaceChildren(new Option('All services', ''));
    for (const s of services) {
      select.append(new Option(s.name, s.name, false, s.name === chosen));
    }
  }

  async function loadFirst() {
    const entries = await get(path({}));
    if (stopped) {
      return;
    }
    shown = entries;
    list.replaceChildren(...entries.map(entry));
    more.hidden = entries.length < PAGE;
    say();
  }

  /** Changes newer than the newest shown go on top; what is on screen stays where it is. */
  async function loadNewer() {
    if (shown.length === 0) {
      return loadFirst();
    }
    const entries = (await get(path({}))).filter((e) => e.sequence > shown[0].sequence);
    if (stopped || entries.length === 0) {
      return undefined;
    }
    shown = [...entries, ...shown];
    list.prepend(...entries.map(entry));
    say();
    return undefined;
  }

  async function reload(names) {
    if (names.includes('services')) {
      await loadServices();
    }
    if (names.includes('timeline')) {
      await loadNewer();
    }
  }

  select.addEventListener('change', () => {
    shown = [];
    loadFirst().catch(fail);
  });
  more.addEventListener('click', async () => {
    try {
      const entries = await get(path({ before: String(shown[shown.length - 1].sequence) }));
      if (stopped) {
        return;
      }
      shown = [...shown, ...entries];
      list.append(...entries.map(entry));
      more.hidden = entries.length < PAGE;
      say();
    } catch (e) {
      fail(e);
    }
  });

  const stopWatching = watch({ hello: ['services', 'timeline'], service: ['services', 'timeline'], plan: ['timeline'] },
    reload, { badge: main.querySelector('.live'), fail });
  return () => {
    stopped = true;
    stopWatching();
  };
}

function entry(e) {
  const item = element('li', `timeline-entry kind-${e.kind}`);
  item.dataset.sequence = String(e.sequence);
  item.dataset.service = e.service;
  item.dataset.kind = e.kind;
  const head = element('div', 'entry-head');
  head.append(element('span', `kind-badge kind-${e.kind}`, KIND_WORDS[e.kind] || e.kind),
    link(`#/service/${encodeURIComponent(e.service)}`, e.service, 'entry-service'),
    element('span', 'entry-versions', `plan v${e.fromVersion} → v${e.toVersion}`),
    element('time', 'entry-time', time(e.decidedAt)));
  if (e.decidedBy) {
    // The leader that decided this change, and its Raft term (GET /api/v1/cluster lists who led which term).
    const decider = element('span', 'entry-decider', `by ${e.decidedBy.node}, term ${e.decidedBy.term}`);
    decider.title = 'The node that decided this change, as leader of this Raft term';
    head.insertBefore(decider, head.lastChild);
  }
  item.append(head, element('p', 'entry-cause', e.cause));
  if (e.detectedAt) {
    item.append(element('p', 'entry-times',
      `Detected ${time(e.detectedAt)}, decided ${time(e.decidedAt)}: ${e.detectionToDecisionMs} ms from detection to decision.`));
  }
  const changes = element('ul', 'entry-changes');
  for (const line of e.changes) {
    const kind = line.startsWith('+') ? 'added' : line.startsWith('-') ? 'removed' : line.startsWith('~') ? 'changed' : 'zone';
    changes.append(element('li', `change-${kind}`, line));
  }
  item.append(changes);
  if (e.auditSequence) {
    item.append(link(`#/audit/${e.auditSequence}`, `Audit entry #${e.auditSequence}`, 'entry-audit'));
  }
  return item;
}
