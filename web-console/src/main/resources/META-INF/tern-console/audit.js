// Audit log: every operator action and every failover, newest first, filtered on the server
// (actor, action, target, words), paged back with "Load more", and each entry's change shown as a
// line diff on demand. #/audit/N opens the log at entry N, highlighted.

import { element, time } from './dom.js';
import { get } from './api.js';
import { fold, lineDiff } from './diff.js';
import { watch } from './live.js';

const PAGE = 50;
/** The actions the log knows, offered as suggestions for the action filter. */
const ACTIONS = ['service.', 'service.create', 'service.replace', 'service.delete', 'backend.', 'backend.drain',
  'backend.undrain', 'plan.', 'plan.failover', 'plan.failback', 'membership.'];

export function renderAudit(main, { fail, param }) {
  main.innerHTML = `
    <h1>Audit log <span class="live" data-state="connecting">connecting…</span></h1>
    <form class="audit-filter" role="search">
      <label>Actor <input name="actor" autocomplete="off" placeholder="e.g. ada"></label>
      <label>Action <input name="action" list="audit-actions" autocomplete="off" placeholder="e.g. service."></label>
      <label>Target <input name="target" autocomplete="off" placeholder="e.g. shop/"></label>
      <label>Words <input name="q" type="search" autocomplete="off" placeholder="in the target or reason"></label>
      <div class="filter-buttons"><button type="submit">Filter</button>
        <button type="reset" class="secondary">Clear</button></div>
      <datalist id="audit-actions"></datalist>
    </form>
    <p class="audit-count muted" role="status"></p>
    <div class="table-wrap">
      <table class="audit-table">
        <colgroup><col class="c-seq"><col class="c-when"><col class="c-actor"><col class="c-action"><col class="c-target">
          <col class="c-reason"><col class="c-diff"></colgroup>
        <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th>
          <th scope="col">Target</th><th scope="col">Reason</th><th scope="col">Change</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <button type="button" class="secondary load-more" hidden>Load more</button>`;
  const form = main.querySelector('form');
  const body = main.querySelector('tbody');
  const count = main.querySelector('.audit-count');
  const more = main.querySelector('.load-more');
  const datalist = main.querySelector('datalist');
  for (const action of ACTIONS) {
    const option = element('option');
    option.value = action;
    datalist.append(option);
  }
  const wanted = param && /^\d+$/.test(param) ? Number(param) : null;
  let stopped = false;
  let shown = [];

  function query(extra) {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (String(value).trim()) {
        params.set(key, String(value).trim());
      }
    }
    for (const [key, value] of Object.entries(extra)) {
      params.set(key, String(value));
    }
    return `/api/v1/audit?${params}`;
  }

  function renderRows(entries, where) {
    const rows = document.createDocumentFragment();
    for (const e of entries) {
      rows.append(...entryRows(e, e.sequence === wanted));
    }
    if (where === 'top') {
      body.prepend(rows);
    } else {
      body.append(rows);
    }
  }

  function say() {
    count.textContent = shown.length === 0 ? 'No entries match.'
      : `${shown.length} entr${shown.length === 1 ? 'y' : 'ies'} shown, newest first.`;
  }

  /** The first page: the newest entries, or those around entry N when the page was opened at one. */
  async function loadFirst() {
    const extra = { newestFirst: true, limit: PAGE };
    if (wanted !== null && shown.length === 0) {
      extra.before = wanted + 11;
    }
    const entries = await get(query(extra));
    if (stopped) {
      return;
    }
    shown = entries;
    body.replaceChildren();
    renderRows(entries, 'bottom');
    more.hidden = entries.length < PAGE;
    say();
    const target = wanted === null ? null : body.querySelector(`tr[data-sequence="${wanted}"]`);
    if (target) {
      target.querySelector('button.diff-toggle')?.click();
      target.scrollIntoView({ block: 'center' });
      target.querySelector('th').focus();
    }
  }

  /** Entries newer than the newest shown, in the same filter, added at the top. */
  async function loadNewer() {
    if (shown.length === 0) {
      return loadFirst();
    }
    const entries = await get(query({ after: shown[0].sequence, limit: 1000 }));
    if (stopped || entries.length === 0) {
      return undefined;
    }
    const newestFirst = entries.reverse();
    shown = [...newestFirst, ...shown];
    renderRows(newestFirst, 'top');
    say();
    return undefined;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    shown = [];
    loadFirst().catch(fail);
  });
  form.addEventListener('reset', () => {
    setTimeout(() => {
      shown = [];
      loadFirst().catch(fail);
    });
  });
  more.addEventListener('click', async () => {
    try {
      const entries = await get(query({ newestFirst: true, limit: PAGE, before: shown[shown.length - 1].sequence }));
      if (stopped) {
        return;
      }
      shown = [...shown, ...entries];
      renderRows(entries, 'bottom');
      more.hidden = entries.length < PAGE;
      say();
    } catch (e) {
      fail(e);
    }
  });
  body.addEventListener('click', (event) => {
    const button = event.target.closest('button.diff-toggle');
    if (!button) {
      return;
    }
    const row = button.closest('tr');
    const open = button.getAttribute('aria-expanded') === 'true';
    button.setAttribute('aria-expanded', String(!open));
    button.textContent = open ? 'Show diff' : 'Hide diff';
    row.nextElementSibling.hidden = open;
  });

  const stopWatching = watch({
    hello: ['entries'], service: ['entries'], drain: ['entries'], plan: ['entries'], membership: ['entries'],
  }, () => loadNewer(), { badge: main.querySelector('.live'), fail });
  return () => {
    stopped = true;
    stopWatching();
  };
}

/** An entry's row and, hidden until asked for, the row with its diff. */
function entryRows(e, highlighted) {
  const row = element('tr', highlighted ? 'highlighted' : null);
  row.dataset.sequence = String(e.sequence);
  row.id = `audit-${e.sequence}`;
  const seq = element('th', null, String(e.sequence));
  seq.scope = 'row';
  seq.tabIndex = -1;
  const toggle = element('td', 'diff-cell');
  const hasChange = e.before !== e.after && (e.before || e.after);
  if (hasChange) {
    const button = element('button', 'small diff-toggle', 'Show diff');
    button.type = 'button';
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', `audit-diff-${e.sequence}`);
    toggle.append(button);
  }
  row.append(seq, element('td', null, time(e.at)), element('td', 'actor', e.actor), element('td', 'action', e.action),
    element('td', 'target', e.target), element('td', 'reason', e.reason), toggle);
  const diffRow = element('tr', 'diff-row');
  diffRow.hidden = true;
  const cell = element('td');
  cell.colSpan = 7;
  cell.id = `audit-diff-${e.sequence}`;
  if (hasChange) {
    cell.append(renderDiff(e.before, e.after));
  }
  diffRow.append(cell);
  return [row, diffRow];
}

function renderDiff(before, after) {
  const lines = lineDiff(before, after);
  const pre = element('pre', 'text-diff');
  if (lines === null) {
    pre.textContent = 'Too large to compare line by line.';
    return pre;
  }
  const marks = { same: '  ', removed: '- ', added: '+ ' };
  for (const line of fold(lines)) {
    if (line.kind === 'folded') {
      pre.append(element('span', 'diff-folded', `  … ${line.count} unchanged line${line.count === 1 ? '' : 's'} …\n`));
    } else {
      pre.append(element('span', `diff-${line.kind}`, `${marks[line.kind]}${line.text}\n`));
    }
  }
  return pre;
}
