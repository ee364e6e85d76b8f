// Policy editor: one service's YAML with line numbers, checked as you type by the API's own
// validation (every problem shown at its line), the plan change it would cause before anything is
// committed, and apply with a reason for admins. A form for the common edits writes the same
// text through policy-yaml.js. Drafts are kept per tab and service until applied or discarded.

import { askReason } from './dialog.js';
import { element } from './dom.js';
import { ApiError, get, request, roleCovers } from './api.js';
import * as policyYaml from './policy-yaml.js';
import { renderServiceList } from './service.js';

const YAML = 'application/yaml';
const VALIDATE_AFTER_MS = 300;
const LINE_HEIGHT_PX = 20;
const DRAFT_KEY = (service) => `tern.policy-draft.${service}`;
const WHEN_NONE_HEALTHY = ['serve-unhealthy', 'answer-nothing'];

export function renderPolicy(main, context) {
  return context.param
    ? renderEditor(main, context)
    : renderServiceList(main, context, 'Policy editor', '#/policy/');
}

function renderEditor(main, { me, fail, param: name }) {
  const encoded = encodeURIComponent(name);
  const isAdmin = roleCovers(me.role, 'admin');
  main.innerHTML = `
    <h1>Policy: <span class="title"></span></h1>
    <p class="policy-meta muted"></p>
    <div class="draft-notice" role="status" hidden>
      <span>This tab holds unapplied changes to this policy.</span>
      <button type="button" class="small" data-draft="restore">Restore draft</button>
      <button type="button" class="small" data-draft="discard">Discard draft</button>
    </div>
    <div class="policy-layout">
      <div class="policy-text">
        <label class="editor-label" for="policy-yaml">YAML</label>
        <div class="editor">
          <ol class="gutter" aria-hidden="true"></ol>
          <textarea id="policy-yaml" spellcheck="false" wrap="off" autocapitalize="off" autocomplete="off"
            aria-describedby="validation-status"></textarea>
        </div>
        <p class="muted editor-help">Tab moves to the next control; indent with spaces.</p>
        <section class="validation" aria-label="Validation">
          <p id="validation-status" class="validation-status" role="status"></p>
          <ul class="violations"></ul>
        </section>
      </div>
      <div class="policy-side"></div>
    </div>`;
  main.querySelector('.title').textContent = name;
  const meta = main.querySelector('.policy-meta');
  const draftNotice = main.querySelector('.draft-notice');
  const textarea = main.querySelector('textarea');
  const gutter = main.querySelector('.gutter');
  const status = main.querySelector('.validation-status');
  const violationsList = main.querySelector('.violations');
  const side = main.querySelector('.policy-side');

  let applied = ''; // The text as committed, to tell a change from none.
  let valid = false;
  let validating = 0;
  let stopped = false;
  let timer = null;

  const diffBox = element('section', 'plan-diff');
  const form = element('section', 'policy-form');
  const applyBar = element('div', 'apply-bar');
  const applyButton = element('button', null, 'Apply…');
  applyButton.type = 'button';
  const applyState = element('p', 'apply-state');
  applyState.setAttribute('role', 'status');
  if (isAdmin) {
    diffBox.append(element('h2', null, 'Plan change'), element('pre', 'diff-lines', 'Checking…'));
    applyBar.append(applyButton, applyState);
    form.setAttribute('aria-label', 'Common edits');
    side.append(applyBar, diffBox, form);
  } else {
    side.append(element('p', 'role-note',
      `Applying a policy needs the admin role; you are ${me.role}. You can still edit here to check a change.`));
  }

  function dirty() {
    return textarea.value !== applied;
  }

  function updateApply() {
    applyButton.disabled = !valid || !dirty() || validating > 0;
    applyButton.title = !dirty() ? 'Nothing to apply: the text is the applied policy'
      : !valid ? 'Fix the problems first' : '';
  }

  function renderGutter(violations) {
    const lines = textarea.value.split('\n').length;
    const byLine = new Map();
    for (const v of violations) {
      if (v.line > 0) {
        byLine.set(v.line, [...(byLine.get(v.line) || []), v.message]);
      }
    }
    const items = document.createDocumentFragment();
    for (let i = 1; i <= lines; i++) {
      const li = element('li', null, String(i));
      li.dataset.line = String(i);
      if (byLine.has(i)) {
        li.classList.add('has-problem');
        li.title = byLine.get(i).join('\n');
      }
      items.append(li);
    }
    gutter.replaceChildren(items);
    gutter.scrollTop = textarea.scrollTop;
  }

  function showLine(line) {
    const lines = textarea.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1] || '').length);
    textarea.scrollTop = Math.max(0, (line - 3) * LINE_HEIGHT_PX);
    gutter.scrollTop = textarea.scrollTop;
  }

  function renderViolations(violations) {
    violationsList.replaceChildren();
    for (const v of violations) {
      const item = element('li');
      const where = v.line > 0 ? `line ${v.line}` : 'whole file';
      const text = `${where}, ${v.path ? `${v.path}: ` : ''}${v.message}`;
      if (v.line > 0) {
        const button = element('button', 'link-button', text);
        button.type = 'button';
        button.dataset.line = String(v.line);
        button.addEventListener('click', () => showLine(v.line));
        item.append(button);
      } else {
        item.textContent = text;
      }
      violationsList.append(item);
    }
  }

  function renderDiff(lines) {
    const pre = diffBox.querySelector('pre');
    if (!pre) {
      return;
    }
    pre.replaceChildren();
    for (const line of lines) {
      const trimmed = line.trimStart();
      const kind = trimmed.startsWith('+') ? 'added' : trimmed.startsWith('-') ? 'removed' : trimmed.startsWith('~') ? 'changed' : 'context';
      pre.append(element('span', `diff-${kind}`, `${line}\n`));
    }
  }

  async function validate() {
    const text = textarea.value;
    const round = ++validating;
    updateApply();
    status.textContent = 'Checking…';
    status.dataset.state = 'checking';
    try {
      const result = isAdmin
        ? await request('PUT', `/api/v1/services/${encoded}?dryRun=true`, text, YAML)
        : await request('POST', '/api/v1/policies:validate', text, YAML);
      if (stopped || round !== validating) {
        return; // A newer check is under way; this answer is for text that is gone.
      }
      valid = result.valid;
      status.textContent = result.valid ? 'Valid'
        : `${result.violations.length} problem${result.violations.length === 1 ? '' : 's'}`;
      status.dataset.state = result.valid ? 'valid' : 'invalid';
      renderGutter(result.violations);
      renderViolations(result.violations);
      if (isAdmin) {
        renderDiff(result.valid ? result.planDiff : ['The plan change shows once the policy is valid.']);
      }
    } catch (e) {
      if (stopped || round !== validating) {
        return;
      }
      valid = false;
      status.textContent = `Could not check the policy: ${e.message}`;
      status.dataset.state = 'invalid';
      fail(e);
    } finally {
      if (round === validating) {
        validating = 0;
        updateApply();
      }
    }
  }

  function changed() {
    if (dirty()) {
      sessionStorage.setItem(DRAFT_KEY(name), textarea.value);
    } else if (draftNotice.hidden) {
      sessionStorage.removeItem(DRAFT_KEY(name)); // Back to the applied text; an offered draft stays until answered.
    }
    renderGutter([]);
    renderForm();
    updateApply();
    clearTimeout(timer);
    timer = setTimeout(validate, VALIDATE_AFTER_MS);
  }

  function setText(text) {
    textarea.value = text;
    changed();
  }

  function renderForm() {
    if (!isAdmin) {
      return;
    }
    const backends = policyYaml.backendsOf(textarea.value);
    const rules = policyYaml.residencyOf(textarea.value);
    const focused = document.activeElement && form.contains(document.activeElement)
      ? document.activeElement.dataset.field : null;
    form.replaceChildren(element('h2', null, 'Common edits'),
      element('p', 'muted', 'Each change rewrites only its line of the YAML.'));

    const table = element('table', 'form-backends');
    table.innerHTML = `<caption>Backends in failover order</caption>
      <thead><tr><th scope="col">Backend</th><th scope="col">Weight</th><th scope="col">Priority</th>
      <th scope="col">Order</th></tr></thead><tbody></tbody>`;
    const ordered = [...backends].sort((a, b) => Number(a.priority) - Number(b.priority));
    ordered.forEach((b, i) => {
      const row = element('tr');
      row.dataset.backend = b.name;
      const name = element('th', null, b.name);
      name.scope = 'row';
      row.append(name);
      if (b.flow) {
        const note = element('td', 'muted', 'written on one line: edit it in the text');
        note.colSpan = 3;
        row.append(note);
        table.tBodies[0].append(row);
        return;
      }
      for (const [key, min, max] of [['weight', 0, 1000], ['priority', 1, 100]]) {
        const cell = element('td');
        const input = element('input');
        input.type = 'number';
        input.min = String(min);
        input.max = String(max);
        input.value = b[key];
        input.dataset.field = `${key}:${b.name}`;
        input.setAttribute('aria-label', `${key} of ${b.name}`);
        input.addEventListener('change', () => edit(() => (key === 'weight'
          ? policyYaml.setBackendWeight(textarea.value, b.name, input.value)
          : policyYaml.setBackendPriority(textarea.value, b.name, input.value))));
        cell.append(input);
        row.append(cell);
      }
      const order = element('td', 'order');
      for (const [label, delta] of [['↑', -1], ['↓', 1]]) {
        const button = element('button', 'small', label);
        button.type = 'button';
        button.dataset.field = `order${delta}:${b.name}`;
        button.setAttribute('aria-label', `Move ${b.name} ${delta < 0 ? 'earlier' : 'later'} in the failover order`);
        button.disabled = i + delta < 0 || i + delta >= ordered.length;
        button.addEventListener('click', () => {
          const names = ordered.map((x) => x.name);
          [names[i], names[i + delta]] = [names[i + delta], names[i]];
          edit(() => policyYaml.setFailoverOrder(textarea.value, names));
        });
        order.append(button);
      }
      row.append(order);
      table.tBodies[0].append(row);
    });
    form.append(table);

    for (const rule of rules) {
      const box = element('fieldset', 'form-residency');
      box.dataset.zone = rule.zone;
      box.append(element('legend', null, `Residency of ${rule.zone} clients`));
      if (rule.flow) {
        box.append(element('p', 'muted', 'Written on one line: edit it in the text.'));
        form.append(box);
        continue;
      }
      const allowLabel = element('label', null, 'Allowed jurisdictions (comma-separated)');
      const allow = element('input');
      allow.value = rule.allow.replace(/^\[|\]$/g, '');
      allow.dataset.field = `allow:${rule.zone}`;
      allow.addEventListener('change', () => edit(() => policyYaml.setResidencyAllow(textarea.value, rule.zone,
        allow.value.split(',').map((j) => j.trim()).filter(Boolean))));
      allowLabel.append(allow);
      const whenLabel = element('label', null, 'When none is healthy');
      const when = element('select');
      when.dataset.field = `when:${rule.zone}`;
      for (const choice of WHEN_NONE_HEALTHY) {
        const option = element('option', null, choice);
        option.value = choice;
        option.selected = choice === rule.whenNoneHealthy;
        when.append(option);
      }
      when.addEventListener('change', () => edit(() =>
        policyYaml.setResidencyWhenNoneHealthy(textarea.value, rule.zone, when.value)));
      whenLabel.append(when);
      box.append(allowLabel, whenLabel);
      form.append(box);
    }
    if (focused) {
      const again = form.querySelector(`[data-field="${CSS.escape(focused)}"]`);
      if (again) {
        again.focus();
      }
    }
  }

  function edit(change) {
    try {
      setText(change());
    } catch (e) {
      fail(e);
    }
  }

  async function load() {
    const service = await get(`/api/v1/services/${encoded}`);
    if (stopped) {
      return;
    }
    applied = service.yaml;
    meta.textContent = `${service.hostname} · policy version ${service.policyVersion}`;
    const draft = sessionStorage.getItem(DRAFT_KEY(name));
    draftNotice.hidden = !draft || draft === applied;
    setText(applied);
  }

  draftNotice.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-draft]');
    if (!button) {
      return;
    }
    const draft = sessionStorage.getItem(DRAFT_KEY(name));
    draftNotice.hidden = true;
    if (button.dataset.draft === 'restore' && draft !== null) {
      setText(draft);
    } else {
      sessionStorage.removeItem(DRAFT_KEY(name));
    }
  });

  textarea.addEventListener('input', changed);
  textarea.addEventListener('scroll', () => { gutter.scrollTop = textarea.scrollTop; });

  applyButton.addEventListener('click', async () => {
    const reason = await askReason(`Apply the policy of ${name}`, 'Apply');
    if (!reason) {
      return;
    }
    applyButton.disabled = true;
    applyState.textContent = 'Applying…';
    try {
      const outcome = await request('PUT', `/api/v1/services/${encoded}?reason=${encodeURIComponent(reason)}`,
        textarea.value, YAML);
      sessionStorage.removeItem(DRAFT_KEY(name));
      await load();
      applyState.textContent = `Applied as policy version ${outcome.policyVersion}.`;
    } catch (e) {
      applyState.textContent = `Not applied: ${e.message}`;
      if (!(e instanceof ApiError && e.status === 422)) {
        fail(e);
      }
      updateApply();
    }
  });

  function warnOnLeave(event) {
    if (dirty()) {
      event.preventDefault();
    }
  }
  window.addEventListener('beforeunload', warnOnLeave);

  load().catch((e) => { if (!stopped) fail(e); });

  return () => {
    stopped = true;
    clearTimeout(timer);
    window.removeEventListener('beforeunload', warnOnLeave);
  };
}
