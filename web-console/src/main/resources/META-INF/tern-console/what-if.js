// What-if: pick backends, regions or whole clouds to fail and see, per service and client zone,
// what the decision engine would answer instead, whether residency holds, and the plan diff.
// POST /api/v1/what-if computes it on a copy of today's health; nothing is committed, so a viewer
// may use the page.

import { element, healthBadge, percent } from './dom.js';
import { get, request } from './api.js';

const CLOUD_NAMES = { aws: 'AWS', azure: 'Azure', gcp: 'Google Cloud' };

const MODE_WORDS = {
  NORMAL: 'normal',
  FAIL_OPEN: 'fail-open',
  NO_ANSWER: 'no answer',
};

const STANDING_WORDS = {
  HEALTHY: '',
  UNKNOWN: 'kept while health is unknown',
  FAIL_OPEN: 'served anyway (fail-open)',
  GUARDRAIL_HELD: 'held in by a guardrail',
  RATE_LIMITED: 'held by the plan-change limit',
};

export function renderWhatIf(main, { fail }) {
  main.innerHTML = `
    <h1>What-if</h1>
    <p class="wi-intro">Choose backends, regions or whole clouds to fail, then see what Tern would answer
      each client zone instead. This is a preview computed by the routing engine on a copy of today's
      health: nothing is changed.</p>
    <form class="wi-form" novalidate>
      <fieldset class="wi-backends"><legend>Backends</legend><p class="muted">Loading…</p></fieldset>
      <fieldset class="wi-regions"><legend>Regions</legend></fieldset>
      <fieldset class="wi-clouds"><legend>Clouds</legend></fieldset>
      <p class="wi-actions">
        <button type="submit">Show what would happen</button>
        <button type="button" class="secondary wi-clear">Clear choices</button>
        <span class="wi-status muted" role="status"></span>
      </p>
    </form>
    <section class="wi-results" aria-label="What would happen" aria-live="polite"></section>`;
  const form = main.querySelector('.wi-form');
  const status = main.querySelector('.wi-status');
  const results = main.querySelector('.wi-results');
  let stopped = false;
  let backends = [];

  get('/api/v1/backends').then((list) => {
    if (stopped) {
      return;
    }
    backends = list;
    renderChoices(form, list);
  }).catch((e) => { if (!stopped) fail(e); });

  form.querySelector('.wi-clear').addEventListener('click', () => {
    form.querySelectorAll('input[type=checkbox]').forEach((box) => { box.checked = false; });
    results.replaceChildren();
    status.textContent = '';
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const scenario = {
      backends: checked(form, 'backend'),
      regions: checked(form, 'region'),
      clouds: checked(form, 'cloud'),
    };
    if (scenario.backends.length + scenario.regions.length + scenario.clouds.length === 0) {
      status.textContent = 'Choose at least one backend, region or cloud to fail.';
      return;
    }
    status.textContent = 'Asking the routing engine…';
    try {
      const [answer, fresh] = await Promise.all([request('POST', '/api/v1/what-if', scenario), get('/api/v1/backends')]);
      if (stopped) {
        return;
      }
      backends = fresh;
      status.textContent = '';
      renderResults(results, answer, backends);
    } catch (e) {
      status.textContent = '';
      if (!stopped) {
        fail(e);
      }
    }
  });

  return () => { stopped = true; };
}

function checked(form, kind) {
  return [...form.querySelectorAll(`input[data-kind="${kind}"]:checked`)].map((box) => box.value);
}

function checkbox(kind, value, text, detail) {
  const label = element('label', 'wi-choice');
  const box = element('input');
  box.type = 'checkbox';
  box.value = value;
  box.dataset.kind = kind;
  label.append(box, element('span', null, text));
  if (detail) {
    label.append(element('span', 'muted wi-detail', detail));
  }
  return label;
}

function renderChoices(form, backends) {
  const backendBox = form.querySelector('.wi-backends');
  const byService = new Map();
  backends.forEach((b) => {
    if (!byService.has(b.service)) {
      byService.set(b.service, []);
    }
    byService.get(b.service).push(b);
  });
  const groups = [element('legend', null, 'Backends')];
  for (const [service, list] of byService) {
    const group = element('fieldset', 'wi-service');
    group.dataset.service = service;
    group.append(element('legend', null, service));
    for (const b of list) {
      group.append(checkbox('backend', `${service}/${b.name}`, b.name,
        `${b.cloud}:${b.region} · ${b.jurisdiction}${b.jurisdiction === 'EU' ? ' (EU-resident)' : ''} · ${b.health}`));
    }
    groups.push(group);
  }
  if (byService.size === 0) {
    groups.push(element('p', 'muted', 'No service has backends yet.'));
  }
  backendBox.replaceChildren(...groups);

  const regions = new Map();
  const clouds = new Map();
  backends.forEach((b) => {
    const key = `${b.cloud}:${b.region}`;
    regions.set(key, (regions.get(key) || 0) + 1);
    clouds.set(b.cloud, (clouds.get(b.cloud) || 0) + 1);
  });
  const regionBox = form.querySelector('.wi-regions');
  regionBox.replaceChildren(element('legend', null, 'Regions'),
    ...[...regions.keys()].sort().map((key) => checkbox('region', key, key, count(regions.get(key)))));
  const cloudBox = form.querySelector('.wi-clouds');
  cloudBox.replaceChildren(element('legend', null, 'Clouds'),
    ...[...clouds.keys()].sort().map((key) => checkbox('cloud', key, CLOUD_NAMES[key] || key, count(clouds.get(key)))));
}

function count(n) {
  return `${n} backend${n === 1 ? '' : 's'}`;
}

function renderResults(box, answer, backends) {
  const health = new Map(backends.map((b) => [`${b.service}/${b.name}`, b.health]));
  const parts = [element('p', 'wi-note', answer.note)];
  if (!answer.services || answer.services.length === 0) {
    parts.push(element('p', 'muted', 'None of the chosen items is a backend of any service: nothing would change.'));
  }
  for (const s of answer.services || []) {
    parts.push(renderService(s, health));
  }
  box.replaceChildren(...parts);
  box.querySelector('.wi-note').scrollIntoView({ block: 'nearest' });
}

/** The API leaves empty lists out; the page reads them as empty. */
function lists(s) {
  const out = { ...s };
  for (const key of ['failedBackends', 'planDiff', 'residency', 'warnings', 'notes']) {
    out[key] = s[key] || [];
  }
  return out;
}

function renderService(found, health) {
  const s = lists(found);
  const section = element('section', 'wi-service-result');
  section.dataset.service = s.service;
  section.append(element('h2', null, `${s.service}: ${s.failedBackends.join(', ')} failed`));
  section.append(element('p', 'wi-residency-summary',
    s.residencyHolds ? 'Residency holds in every zone.' : 'Residency would NOT hold in some zone.'));
  const failed = new Set(s.failedBackends);
  const residency = new Map(s.residency.map((r) => [r.zone, r]));
  const current = new Map((s.current.zones || []).map((z) => [z.zone, z]));
  for (const zone of s.whatIf.zones || []) {
    section.append(renderZone(s.service, current.get(zone.zone), zone, residency.get(zone.zone), failed, health));
  }
  section.append(element('h3', null, 'Plan diff'));
  if (s.planDiff.length === 0) {
    section.append(element('p', 'muted wi-diff-empty', 'No change: the plan would stay as it is.'));
  } else {
    const diff = element('ul', 'wi-diff');
    s.planDiff.forEach((line) => diff.append(element('li', null, line)));
    section.append(diff);
  }
  if (s.notes.length + s.warnings.length > 0) {
    section.append(element('h3', null, 'What a human would hear'));
    const list = element('ul', 'wi-notes');
    s.notes.forEach((n) => list.append(element('li', null, n)));
    s.warnings.forEach((w) => list.append(element('li', null,
      `${w.kind.toLowerCase().replaceAll('_', ' ')}${w.zone ? ` (${w.zone})` : ''}: ${w.message}`)));
    section.append(list);
  }
  return section;
}

function renderZone(service, before, after, residency, failed, health) {
  const zone = element('section', 'wi-zone');
  zone.dataset.zone = after.zone;
  const beforeAnswers = before ? before.answers || [] : [];
  const afterAnswers = after.answers || [];
  const changed = !before || JSON.stringify(beforeAnswers.map((a) => [a.backend, a.weight]))
    !== JSON.stringify(afterAnswers.map((a) => [a.backend, a.weight])) || before.mode !== after.mode;
  const title = element('h3', null, `Clients in ${after.zone}`);
  title.append(element('span', `wi-mode wi-mode-${after.mode.toLowerCase()}`, mode(after, residency)),
    element('span', changed ? 'wi-changed' : 'wi-same', changed ? 'changes' : 'no change'));
  zone.append(title);
  const columns = element('div', 'wi-columns');
  columns.append(
    answers('wi-now', 'Now', beforeAnswers, service, new Set(), health),
    answers('wi-then', 'What if', afterAnswers, service, failed, health));
  zone.append(columns);
  if (residency) {
    const kind = !residency.bound ? 'wi-unbound' : residency.holds ? 'wi-holds' : 'wi-broken';
    zone.append(element('p', `wi-residency ${kind}`, residency.statement));
  }
  const why = element('ul', 'wi-why');
  why.setAttribute('aria-label', `Why, for ${after.zone}`);
  (after.explanation || []).forEach((line) => why.append(element('li', null, line)));
  zone.append(why);
  return zone;
}

function mode(zone, residency) {
  if (zone.mode === 'FAIL_OPEN' && residency && residency.bound) {
    return 'fail-open, residency fallback';
  }
  return MODE_WORDS[zone.mode] || zone.mode;
}

function answers(className, heading, list, service, failed, health) {
  const box = element('div', className);
  box.append(element('h4', null, heading));
  if (list.length === 0) {
    box.append(element('p', 'muted', 'no answer'));
  }
  for (const a of list) {
    const line = element('div', 'answer-line');
    line.dataset.backend = a.backend;
    const assumed = failed.has(a.backend);
    line.append(
      element('span', 'backend', a.backend),
      element('span', 'weight', percent(a.weight)),
      healthBadge(assumed ? 'UNHEALTHY' : health.get(`${service}/${a.backend}`)));
    const words = [assumed ? 'failed in this what-if' : '', STANDING_WORDS[a.standing] || ''].filter(Boolean).join('; ');
    if (words) {
      line.append(element('span', 'wi-standing', words));
    }
    box.append(line);
  }
  return box;
}
