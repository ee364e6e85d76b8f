// Chaos: the scenario catalogue with its schedules, the runs kept in the replicated state (active
// ones first, each with an Abort), each run's report on demand with its timeline drawn, starting a
// scenario by hand (dry run first) and the kill switch that reverts every active fault. Operators
// and admins may run, pause, abort and use the kill switch; viewers only read.

import { askReason } from './dialog.js';
import { element, time } from './dom.js';
import { get, request, roleCovers } from './api.js';
import { watch } from './live.js';

const YAML = 'application/yaml';

export function renderChaos(main, { me, fail }) {
  const canRun = roleCovers(me.role, 'operator');
  main.innerHTML = `
    <h1>Chaos <span class="live" data-state="connecting">connecting…</span></h1>
    <section class="kill-switch-bar" aria-label="Kill switch"></section>
    <h2>Scenarios</h2>
    <p class="scenarios-count muted" role="status"></p>
    <div class="table-wrap">
      <table class="scenarios-table">
        <colgroup><col class="c-name"><col class="c-fault"><col class="c-schedule"><col class="c-next">
          <col class="c-last"><col class="c-actions"></colgroup>
        <thead><tr><th scope="col">Scenario</th><th scope="col">Fault</th><th scope="col">Schedule</th>
          <th scope="col">Next run</th><th scope="col">Last start time</th><th scope="col">Actions</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <p class="scenario-result" role="status"></p>
    <h2>Runs</h2>
    <p class="runs-count muted" role="status"></p>
    <div class="table-wrap">
      <table class="runs-table">
        <colgroup><col class="c-scenario"><col class="c-state"><col class="c-started"><col class="c-by">
          <col class="c-targets"><col class="c-report"></colgroup>
        <thead><tr><th scope="col">Scenario</th><th scope="col">Outcome</th><th scope="col">Started</th>
          <th scope="col">By, why</th><th scope="col">Targets</th><th scope="col">Report</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <section class="start-run" aria-labelledby="start-title"></section>`;
  const body = main.querySelector('.runs-table tbody');
  const count = main.querySelector('.runs-count');
  const scenarioBody = main.querySelector('.scenarios-table tbody');
  const scenarioCount = main.querySelector('.scenarios-count');
  const scenarioResult = main.querySelector('.scenario-result');
  const killBar = main.querySelector('.kill-switch-bar');
  const startBox = main.querySelector('.start-run');
  let stopped = false;
  const open = new Set();

  if (canRun) {
    const kill = element('button', 'danger', 'Revert every active fault');
    kill.type = 'button';
    const said = element('span', 'kill-result');
    said.setAttribute('role', 'status');
    kill.addEventListener('click', async () => {
      const reason = await askReason('Revert every active chaos fault now', 'Revert all');
      if (!reason) {
        return;
      }
      try {
        const result = await request('POST', `/api/v1/chaos/kill-switch?reason=${encodeURIComponent(reason)}`);
        said.textContent = `${result.runs} run${result.runs === 1 ? '' : 's'} reverted.`;
      } catch (e) {
        fail(e);
      }
    });
    killBar.append(kill, said);
    renderStart(startBox, fail);
  } else {
    killBar.append(element('p', 'muted', `Starting runs and the kill switch need the operator role; you are ${me.role}.`));
  }

  async function reload() {
    const [runs, scenarios] = await Promise.all([get('/api/v1/chaos/runs'), get('/api/v1/chaos/scenarios')]);
    if (stopped) {
      return;
    }
    scenarioCount.textContent = scenarios.length === 0
      ? 'The catalogue is empty: add scenarios with tern chaos apply (admins).'
      : `${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} in the catalogue.`;
    scenarioBody.replaceChildren(...scenarios.map((s) => scenarioRow(s, canRun)));
    const ordered = [...runs.filter((r) => r.active), ...runs.filter((r) => !r.active)];
    const active = runs.filter((r) => r.active).length;
    count.textContent = runs.length === 0 ? 'No runs yet.'
      : `${runs.length} run${runs.length === 1 ? '' : 's'} kept; ${active} active.`;
    const rows = [];
    for (const run of ordered) {
      rows.push(...runRows(run, open.has(run.id), canRun));
    }
    body.replaceChildren(...rows);
    for (const id of open) {
      const cell = body.querySelector(`tr.report-row[data-run="${CSS.escape(id)}"] td`);
      const run = runs.find((r) => r.id === id);
      if (cell && run && !run.active) {
        showReport(cell, id).catch(fail);
      }
    }
  }

  scenarioBody.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) {
      return;
    }
    const name = button.closest('tr').dataset.scenario;
    const path = `/api/v1/chaos/scenarios/${encodeURIComponent(name)}`;
    const action = button.dataset.action;
    let reason = 'dry run';
    if (action !== 'dry-run') {
      const titles = {
        run: [`Run ${name} now: its fault is injected for real`, 'Run'],
        pause: [`Pause the schedule of ${name}`, 'Pause'],
        resume: [`Resume the schedule of ${name}`, 'Resume'],
      };
      reason = await askReason(...titles[action]);
      if (!reason) {
        return;
      }
    }
    const q = `reason=${encodeURIComponent(reason)}`;
    try {
      if (action === 'run' || action === 'dry-run') {
        const started = await request('POST', `${path}/runs?dryRun=${action === 'dry-run'}&${q}`);
        scenarioResult.textContent = action === 'dry-run'
          ? `Dry run: ${name} would hit ${started.targets.join(', ') || 'no backend'}; nothing was injected.`
          : `Started ${started.runId} until ${time(started.revertDueAt)}.`;
      } else {
        await request('POST', `${path}/${action}?${q}`);
        scenarioResult.textContent = `${name}: schedule ${action === 'pause' ? 'paused' : 'resumed'}.`;
      }
    } catch (e) {
      scenarioResult.textContent = `${name}: ${e.message}`;
      if (e.status === 401) {
        fail(e);
      }
    }
  });

  body.addEventListener('click', async (event) => {
    const abort = event.target.closest('button.abort');
    if (abort) {
      const id = abort.closest('tr').dataset.run;
      const reason = await askReason(`Abort ${id}: its fault is reverted now`, 'Abort');
      if (reason) {
        request('POST', `/api/v1/chaos/runs/${encodeURIComponent(id)}/abort?reason=${encodeURIComponent(reason)}`)
          .catch(fail);
      }
      return;
    }
    const button = event.target.closest('button.report-toggle');
    if (!button) {
      return;
    }
    const id = button.closest('tr').dataset.run;
    const row = button.closest('tr').nextElementSibling;
    const opening = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(opening));
    button.textContent = opening ? 'Hide report' : 'Show report';
    row.hidden = !opening;
    if (opening) {
      open.add(id);
      showReport(row.querySelector('td'), id).catch(fail);
    } else {
      open.delete(id);
    }
  });

  const stopWatching = watch({ hello: ['runs'], chaos: ['runs'] }, reload, { badge: main.querySelector('.live'), fail });
  return () => {
    stopped = true;
    stopWatching();
  };
}

function scenarioRow(s, canRun) {
  const row = element('tr', s.activeRun ? 'run-active' : null);
  row.dataset.scenario = s.name;
  const name = element('th');
  name.scope = 'row';
  name.append(element('span', 'name', s.name), element('span', 'hypothesis muted', s.hypothesis));
  const schedule = s.cron ? `${s.cron} (${s.timeZone}), concurrency ${s.concurrency}` : 'by hand only';
  let next = s.cron ? (s.nextRunAt ? time(s.nextRunAt) : 'never') : '—';
  if (s.paused) {
    next = 'paused';
  }
  const last = s.lastResult ? `${time(s.lastDueAt)}: ${s.lastResult}` : '—';
  const actions = element('td', 'actions');
  if (canRun) {
    const buttons = [['dry-run', 'Dry run', 'secondary'], ['run', 'Run now…', '']];
    if (s.cron) {
      buttons.push(s.paused ? ['resume', 'Resume…', 'secondary'] : ['pause', 'Pause…', 'secondary']);
    }
    for (const [action, label, kind] of buttons) {
      const b = element('button', `small ${kind}`.trim(), label);
      b.type = 'button';
      b.dataset.action = action;
      b.setAttribute('aria-label', `${label.replace('…', '')} ${s.name}`);
      actions.append(b);
    }
  }
  row.append(name, element('td', null, `${s.fault} by ${s.injector}, ${s.duration.replace('PT', '').toLowerCase()}`),
    element('td', 'schedule', schedule), element('td', 'next', next), element('td', 'last', last), actions);
  return row;
}

function runRows(run, isOpen, canRun) {
  const row = element('tr', run.active ? 'run-active' : null);
  row.dataset.run = run.id;
  const name = element('th', null, run.scenario);
  name.scope = 'row';
  const outcome = element('td');
  outcome.append(element('span', `outcome outcome-${(run.outcome || 'active').toLowerCase()}`,
    run.active ? `ACTIVE until ${time(run.revertDueAt)}` : run.outcome));
  const report = element('td');
  if (run.active && canRun) {
    const abort = element('button', 'small danger abort', 'Abort…');
    abort.type = 'button';
    abort.setAttribute('aria-label', `Abort ${run.id}`);
    report.append(abort);
  }
  if (!run.active) {
    const button = element('button', 'small report-toggle', isOpen ? 'Hide report' : 'Show report');
    button.type = 'button';
    button.setAttribute('aria-expanded', String(isOpen));
    report.append(button);
  }
  row.append(name, outcome, element('td', null, time(run.startedAt)), element('td', 'by', `${run.actor}: ${run.reason}`),
    element('td', 'targets', run.targets.join(', ')), report);
  const reportRow = element('tr', 'report-row');
  reportRow.dataset.run = run.id;
  reportRow.hidden = !isOpen;
  const cell = element('td');
  cell.colSpan = 6;
  reportRow.append(cell);
  return [row, reportRow];
}

async function showReport(cell, id) {
  const report = await get(`/api/v1/chaos/runs/${encodeURIComponent(id)}/report`);
  const box = element('div', 'run-report');
  box.append(element('p', 'hypothesis', report.hypothesis));
  const steps = element('ol', 'run-timeline');
  const start = report.timeline.length ? Date.parse(report.timeline[0].at) : 0;
  for (const step of report.timeline) {
    const item = element('li', null, `+${((Date.parse(step.at) - start) / 1000).toFixed(1)} s (${time(step.at)}): ${step.event}`);
    item.dataset.kind = stepKind(step.event);
    steps.append(item);
  }
  const results = element('ul', 'run-results');
  for (const r of report.results) {
    const item = element('li', `result-${r.outcome.toLowerCase()}`);
    item.append(element('span', `outcome outcome-${r.outcome.toLowerCase()}`, r.outcome),
      element('span', 'expectation', ` ${r.expectation}: `), element('span', null, r.evidence));
    results.append(item);
  }
  box.append(element('h3', null, 'Timeline'), drawTimeline(report.timeline), steps, element('h3', null, 'Expectations'),
    results);
  if (report.note) {
    box.append(element('p', 'muted', report.note));
  }
  cell.replaceChildren(box);
}

const KINDS = [['fault injected', 'inject'], ['first failed probe', 'probe'], ['verdict:', 'verdict'],
  ['decision:', 'decision'], ['DNS changed', 'dns'], ['fault reverted', 'heal'], ['abort', 'abort'],
  ['killed', 'kill'], ['the new leader', 'kill']];

function stepKind(event) {
  const found = KINDS.find(([prefix]) => event.startsWith(prefix) || event.includes(prefix));
  return found ? found[1] : 'other';
}

// The timeline drawn to scale: the fault's window shaded from injection to heal, one numbered
// mark per step (the list below it says what each is).
function drawTimeline(timeline) {
  const figure = element('div', 'timeline-drawing');
  figure.setAttribute('aria-hidden', 'true');
  if (timeline.length < 2) {
    return figure;
  }
  const t0 = Date.parse(timeline[0].at);
  const span = Math.max(1, Date.parse(timeline[timeline.length - 1].at) - t0);
  const at = (t) => `${((Date.parse(t) - t0) / span) * 100}%`;
  const inject = timeline.find((s) => stepKind(s.event) === 'inject') || timeline[0];
  const heal = timeline.find((s) => stepKind(s.event) === 'heal');
  const faultWindow = element('div', 'fault-window');
  faultWindow.style.left = at(inject.at);
  faultWindow.style.width = `calc(${heal ? at(heal.at) : '100%'} - ${at(inject.at)})`;
  figure.append(faultWindow);
  // Marks closer than 3 % of the width to the previous one step up a row, so none hides another.
  let previous = -100;
  let row = 0;
  timeline.forEach((step, i) => {
    const mark = element('span', `mark mark-${stepKind(step.event)}`, String(i + 1));
    const share = ((Date.parse(step.at) - t0) / span) * 100;
    row = share - previous < 3 ? (row + 1) % 3 : 0;
    previous = share;
    mark.style.left = at(step.at);
    mark.style.bottom = `${0.2 + row * 1.45}rem`;
    mark.title = step.event;
    figure.append(mark);
  });
  const axis = element('div', 'axis');
  axis.append(element('span', null, '0 s'), element('span', null, `${(span / 1000).toFixed(1)} s`));
  figure.append(axis);
  return figure;
}

function renderStart(box, fail) {
  box.innerHTML = `
    <h2 id="start-title">Start a run</h2>
    <p class="muted">One <code>kind: ChaosScenario</code> document (docs/chaos.md). Dry run first: it resolves the
      targets and injects nothing.</p>
    <label for="scenario-yaml">Scenario YAML</label>
    <textarea id="scenario-yaml" rows="14" spellcheck="false" wrap="off"></textarea>
    <div class="start-buttons"><button type="button" class="secondary dry">Dry run</button>
      <button type="button" class="run">Run…</button></div>
    <p class="start-result" role="status"></p>`;
  const text = box.querySelector('textarea');
  const result = box.querySelector('.start-result');
  async function start(dry) {
    result.textContent = '';
    let reason = 'dry run';
    if (!dry) {
      reason = await askReason('Start this chaos run now: its fault is injected for real', 'Run');
      if (!reason) {
        return;
      }
    }
    try {
      const started = await request('POST', `/api/v1/chaos/runs?dryRun=${dry}&reason=${encodeURIComponent(reason)}`,
        text.value, YAML);
      result.textContent = dry
        ? `Dry run: ${started.scenario} would hit ${started.targets.join(', ')}; nothing was injected.`
        : `Started ${started.runId}: ${started.targets.join(', ')} until ${time(started.revertDueAt)}.`;
    } catch (e) {
      result.textContent = `Not started: ${e.message}`;
      if (e.status === 401) {
        fail(e);
      }
    }
  }
  box.querySelector('.dry').addEventListener('click', () => start(true));
  box.querySelector('.run').addEventListener('click', () => start(false));
}
