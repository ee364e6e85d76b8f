// Chaos: the runs kept in the replicated state (active ones first), each run's report on demand,
// starting a scenario by hand (dry run first) and the kill switch that reverts every active fault.
// Operators and admins may start runs and use the kill switch; viewers only read.

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
  const body = main.querySelector('tbody');
  const count = main.querySelector('.runs-count');
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
    const runs = await get('/api/v1/chaos/runs');
    if (stopped) {
      return;
    }
    const ordered = [...runs.filter((r) => r.active), ...runs.filter((r) => !r.active)];
    const active = runs.filter((r) => r.active).length;
    count.textContent = runs.length === 0 ? 'No runs yet.'
      : `${runs.length} run${runs.length === 1 ? '' : 's'} kept; ${active} active.`;
    const rows = [];
    for (const run of ordered) {
      rows.push(...runRows(run, open.has(run.id)));
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

  body.addEventListener('click', (event) => {
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

function runRows(run, isOpen) {
  const row = element('tr', run.active ? 'run-active' : null);
  row.dataset.run = run.id;
  const name = element('th', null, run.scenario);
  name.scope = 'row';
  const outcome = element('td');
  outcome.append(element('span', `outcome outcome-${(run.outcome || 'active').toLowerCase()}`,
    run.active ? `ACTIVE until ${time(run.revertDueAt)}` : run.outcome));
  const report = element('td');
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
  for (const step of report.timeline) {
    steps.append(element('li', null, `${time(step.at)}: ${step.event}`));
  }
  const results = element('ul', 'run-results');
  for (const r of report.results) {
    const item = element('li', `result-${r.outcome.toLowerCase()}`);
    item.append(element('span', `outcome outcome-${r.outcome.toLowerCase()}`, r.outcome),
      element('span', 'expectation', ` ${r.expectation}: `), element('span', null, r.evidence));
    results.append(item);
  }
  box.append(element('h3', null, 'Timeline'), steps, element('h3', null, 'Expectations'), results);
  if (report.note) {
    box.append(element('p', 'muted', report.note));
  }
  cell.replaceChildren(box);
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
