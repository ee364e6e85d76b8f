// Policy editor: one service's policy as YAML, checked as it is typed, with the plan diff a change
// would cause and (for admins) Apply with a reason. A form beside the text edits the common fields
// through policy-yaml.js, which rewrites only the lines concerned, so the text stays the source.
// #/policy alone lists the services.

import { askReason } from './dialog.js';
import { element } from './dom.js';
import { ApiError, get, request, roleCovers } from './api.js';
import { watch } from './live.js';
import { renderServiceList } from './service.js';
import {
  readBackends, readResidency, setBackendValue, setFailoverOrder, setResidencyAllow, setWhenNoneHealthy,
} from './policy-yaml.js';

const YAML = 'application/yaml';
const CHECK_DELAY_MS = 300;
/** Must match the editor's line height in style.css, to scroll a line into view. */
const LINE_HEIGHT_PX = 20;
const WHEN_NONE_HEALTHY = ['serve-unhealthy', 'answer-nothing'];

export function renderPolicy(main, context) {
  return context.param ? renderEditor(main, context) : renderServiceList(main, context, 'Policy editor', '#/policy/');
}

/** One line of PlanDiff.render(): the plan versions, a zone, or an answer added (+), removed (-) or changed (~). */
function diffLine(line) {
  const text = line.trim();
  const kind = /^\+ /.test(text) ? 'added' : /^- /.test(text) ? 'removed' : /^~ /.test(text) ? 'changed'
    : /^\S+: plan v/.test(text) ? 'versions' : 'zone';
  return element('span', `diff-line diff-${kind}`, kind === 'versions' ? text : line.replace(/^ {2}/, ''));
}

function renderEditor(main, { me, fail, param: name }) {
  const admin = roleCovers(me.role, 'admin');
  const servicePath = `/api/v1/services/${encodeURIComponent(name)}`;
  const draftKey = `tern.policy.draft.${name}`;

  main.innerHTML = `
    <h1>Policy editor: <span class="policy-name"></span>
      <span class="live" data-state="connecting">connecting…</span></h1>
    <p class="policy-meta muted">Loading…</p>
    <p class="changed-away" role="status" hidden></p>
    <div class="draft-notice" role="status" hidden>
      <span>This tab kept changes to this policy that were never applied.</span>
      <button type="button" class="small restore">Restore draft</button>
      <button type="button" class="small discard">Discard draft</button>
    </div>
    <div class="policy-layout">
      <section class="policy-text">
        <h2><label for="policy-yaml">YAML</label></h2>
        <p class="hint muted" id="policy-yaml-hint">Tab inserts two spaces. To leave the editor with the
          keyboard, press Escape, then Tab.</p>
        <div class="editor">
          <div class="gutter"></div>
          <textarea id="policy-yaml" wrap="off" spellcheck="false" autocapitalize="off" autocomplete="off"
            aria-describedby="policy-yaml-hint policy-check-status"></textarea>
        </div>
        <div class="check" aria-live="polite">
          <p class="check-status" id="policy-check-status" data-state="idle"></p>
          <ul class="violations"></ul>
        </div>
      </section>
      <aside class="policy-side"></aside>
    </div>`;
  main.querySelector('.policy-name').textContent = name;
  const meta = main.querySelector('.policy-meta');
  const live = main.querySelector('.live');
  const notice = main.querySelector('.draft-notice');
  const changedAway = main.querySelector('.changed-away');
  const textarea = main.querySelector('textarea');
  const gutter = main.querySelector('.gutter');
  const status = main.querySelector('.check-status');
  const violationList = main.querySelector('.violations');
  const side = main.querySelector('.policy-side');

  let form = null;
  let diff = null;
  let applyButton = null;
  let applied = null;
  let applyError = null;
  if (admin) {
    form = element('section', 'policy-form');
    form.setAttribute('aria-labelledby', 'policy-form-title');
    const diffBox = element('section', 'plan-diff-box');
    diffBox.setAttribute('aria-labelledby', 'plan-diff-title');
    const diffTitle = element('h2', null, 'Plan diff');
    diffTitle.id = 'plan-diff-title';
    diff = element('pre', 'plan-diff muted', 'Shown once the text is checked.');
    diff.setAttribute('aria-live', 'polite');
    diffBox.append(diffTitle, diff);
    const applyRow = element('div', 'apply-row');
    applyButton = element('button', 'apply', 'Apply…');
    applyButton.type = 'button';
    applyButton.disabled = true;
    applied = element('p', 'applied');
    applied.setAttribute('role', 'status');
    applyError = element('p', 'form-error');
    applyError.setAttribute('role', 'alert');
    applyError.hidden = true;
    applyRow.append(applyButton, applied, applyError);
    side.append(diffBox, applyRow, form);
  } else {
    side.append(element('p', 'muted read-only-note',
      `You may try changes here and see them checked; only an admin can apply a policy (you are ${me.role}).`));
  }

  let stopped = false;
  let serverYaml = null;
  /** The policy version this page last saw; Apply is refused by the server if it moved on unseen. */
  let seenVersion = null;
  let checkSeq = 0;
  let checkTimer = null;
  /** The text the last answer was about, and whether it was valid. */
  let checked = { text: null, valid: false };
  let shownLines = 0;

  const dirty = () => serverYaml !== null && textarea.value !== serverYaml;

  function renderGutter(problems) {
    const count = textarea.value.split('\n').length;
    if (count !== shownLines) {
      const rows = document.createDocumentFragment();
      for (let n = 1; n <= count; n++) {
        const row = element('div', 'ln', String(n));
        row.dataset.line = String(n);
        rows.append(row);
      }
      gutter.replaceChildren(rows);
      shownLines = count;
    }
    for (const marker of gutter.querySelectorAll('.marker')) {
      marker.remove();
    }
    for (const row of gutter.querySelectorAll('.has-problem')) {
      row.classList.remove('has-problem');
    }
    for (const [line, messages] of problems) {
      const row = gutter.children[line - 1];
      if (row) {
        const marker = element('span', 'marker', '!');
        marker.setAttribute('role', 'img');
        marker.setAttribute('aria-label', `Problem on line ${line}: ${messages.join('; ')}`);
        marker.title = messages.join('\n');
        row.classList.add('has-problem');
        row.prepend(marker);
      }
    }
    gutter.scrollTop = textarea.scrollTop;
  }

  function problemsByLine(violations) {
    const byLine = new Map();
    for (const v of violations) {
      if (v.line > 0) {
        byLine.set(v.line, [...(byLine.get(v.line) || []), `${v.path}: ${v.message}`]);
      }
    }
    return byLine;
  }

  /** Scrolls the editor so that a line is in view, a third of the way down when it was not. */
  function revealLine(line) {
    const top = (line - 1) * LINE_HEIGHT_PX;
    if (top < textarea.scrollTop || top + LINE_HEIGHT_PX > textarea.scrollTop + textarea.clientHeight) {
      textarea.scrollTop = Math.max(0, top - textarea.clientHeight / 3);
      gutter.scrollTop = textarea.scrollTop;
    }
  }

  function goToLine(line) {
    const lines = textarea.value.split('\n');
    const offset = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
    revealLine(line);
  }

  function showCheck(result) {
    const violations = result.violations || [];
    renderGutter(problemsByLine(violations));
    violationList.replaceChildren();
    if (result.valid) {
      status.dataset.state = 'valid';
      status.textContent = 'Valid';
    } else {
      status.dataset.state = 'invalid';
      status.textContent = violations.length === 1 ? '1 problem' : `${violations.length} problems`;
    }
    for (const v of violations) {
      const item = element('li');
      const words = `${v.path || 'policy'}: ${v.message}`;
      if (v.line > 0) {
        const button = element('button', 'violation', `line ${v.line}, ${words}`);
        button.type = 'button';
        button.dataset.line = String(v.line);
        button.addEventListener('click', () => goToLine(v.line));
        item.append(button);
      } else {
        item.textContent = words;
      }
      violationList.append(item);
    }
    if (diff) {
      const lines = result.valid ? (result.planDiff || []).filter((l) => l.trim() !== '') : [];
      diff.classList.toggle('muted', !result.valid);
      if (!result.valid) {
        diff.textContent = 'No plan diff while the text is invalid.';
      } else if (lines.length === 0 || lines.every((l) => /: no change$/.test(l))) {
        diff.textContent = 'No change: the routing plan would stay as it is.';
      } else {
        diff.replaceChildren(...lines.map(diffLine));
      }
    }
  }

  function updateApply() {
    if (!applyButton) {
      return;
    }
    const current = checked.text === textarea.value;
    applyButton.disabled = !dirty() || !current || !checked.valid;
    applyButton.title = !dirty() ? 'Nothing to apply: the text is the applied policy'
      : !current ? 'Checking…' : !checked.valid ? 'Fix the problems first' : '';
  }

  async function check() {
    const mine = ++checkSeq;
    const text = textarea.value;
    status.dataset.state = 'checking';
    status.textContent = 'Checking…';
    try {
      const result = admin
        ? await request('PUT', `${servicePath}?dryRun=true`, text, YAML)
        : await request('POST', '/api/v1/policies:validate', text, YAML);
      if (stopped || mine !== checkSeq) {
        return;
      }
      checked = { text, valid: result.valid };
      showCheck(result);
    } catch (e) {
      if (stopped || mine !== checkSeq) {
        return;
      }
      checked = { text: null, valid: false };
      status.dataset.state = 'invalid';
      status.textContent = `Could not check the text: ${e.message}`;
      if (e instanceof ApiError && e.status === 401) {
        fail(e);
      }
    }
    updateApply();
  }

  function textChanged({ fromForm }) {
    if (dirty()) {
      sessionStorage.setItem(draftKey, textarea.value);
    } else {
      sessionStorage.removeItem(draftKey);
    }
    renderGutter(new Map());
    status.dataset.state = 'checking';
    status.textContent = 'Checking…';
    if (diff) {
      diff.classList.add('muted');
      diff.textContent = 'Checking…';
    }
    updateApply();
    if (applied) {
      applied.textContent = '';
    }
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => {
      check();
      if (!fromForm) {
        renderForm();
      }
    }, CHECK_DELAY_MS);
  }

  /** Puts the form's edit into the editor and shows its first changed line. */
  function setText(text) {
    const before = textarea.value.split('\n');
    const after = text.split('\n');
    let changed = 0;
    while (changed < after.length && before[changed] === after[changed]) {
      changed++;
    }
    textarea.value = text;
    textChanged({ fromForm: true });
    revealLine(changed + 1);
  }

  // The form: read from the text each time it is drawn, written back through policy-yaml.js.
  function renderForm(...focusSelectors) {
    if (!form) {
      return;
    }
    const text = textarea.value;
    const backends = readBackends(text);
    const rules = readResidency(text);
    const title = element('h2', null, 'Common edits');
    title.id = 'policy-form-title';
    const parts = [title];
    if (backends.length === 0) {
      parts.push(element('p', 'muted', 'The form needs a backends list it can read; edit the text instead.'));
    } else {
      const order = backends.map((b, i) => ({ ...b, i }))
        .sort((a, b) => (a.priority ?? 1) - (b.priority ?? 1) || a.i - b.i);
      const list = element('ol', 'backend-edits');
      list.setAttribute('aria-label', 'Backends in failover order');
      order.forEach((b, position) => {
        const item = element('li', 'backend-edit');
        item.dataset.backend = b.name;
        const heading = element('div', 'backend-edit-name');
        heading.append(element('strong', null, b.name), element('span', 'muted', ` ${b.jurisdiction || ''}`));
        item.append(heading,
          numberField(b, 'weight', 'Weight', 0, 1000, 1),
          numberField(b, 'priority', 'Priority', 1, 100, 1),
          moveButton(order, position, -1, '↑', 'up'),
          moveButton(order, position, 1, '↓', 'down'));
        list.append(item);
      });
      parts.push(element('h3', null, 'Backends (failover order)'), list);
    }
    if (rules.length) {
      parts.push(element('h3', null, 'Residency'));
      const jurisdictions = [...new Set([...backends.map((b) => b.jurisdiction).filter(Boolean),
        ...rules.flatMap((r) => r.allow)])];
      for (const rule of rules) {
        parts.push(residencyFieldset(rule, jurisdictions));
      }
    }
    form.replaceChildren(...parts);
    for (const selector of focusSelectors) {
      const target = form.querySelector(selector);
      if (target) {
        target.focus();
        break;
      }
    }
  }

  function numberField(backend, key, label, min, max, fallback) {
    const wrapper = element('label', 'number-field');
    const input = element('input');
    input.type = 'number';
    input.min = String(min);
    input.max = String(max);
    input.step = '1';
    input.name = `${key}-${backend.name}`;
    input.value = backend[key] ?? '';
    input.placeholder = `${fallback} (default)`;
    input.setAttribute('aria-label', `${label} of ${backend.name}`);
    input.addEventListener('input', () => {
      if (/^-?\d+$/.test(input.value)) {
        setText(setBackendValue(textarea.value, backend.name, key, input.value));
      }
    });
    wrapper.append(element('span', null, label), input);
    return wrapper;
  }

  function moveButton(order, position, step, symbol, direction) {
    const button = element('button', 'small move', symbol);
    button.type = 'button';
    const name = order[position].name;
    button.dataset.move = direction;
    button.setAttribute('aria-label', `Move ${name} ${direction} in the failover order`);
    const target = position + step;
    button.disabled = target < 0 || target >= order.length;
    button.addEventListener('click', () => {
      const names = order.map((b) => b.name);
      [names[position], names[target]] = [names[target], names[position]];
      setText(setFailoverOrder(textarea.value, names));
      // Focus stays with the moved backend: on the same arrow, or the other one at either end.
      const moved = `[data-backend="${CSS.escape(name)}"]`;
      renderForm(`${moved} [data-move="${direction}"]:not([disabled])`, `${moved} button.move:not([disabled])`);
    });
    return button;
  }

  function residencyFieldset(rule, jurisdictions) {
    const fieldset = element('fieldset', 'residency-edit');
    fieldset.append(element('legend', null, `Clients in ${rule.zone}`));
    const boxes = element('div', 'allow-boxes');
    boxes.append(element('span', 'muted', 'Allowed jurisdictions:'));
    for (const j of jurisdictions) {
      const label = element('label');
      const box = element('input');
      box.type = 'checkbox';
      box.value = j;
      box.checked = rule.allow.includes(j);
      box.addEventListener('change', () => {
        const allow = [...boxes.querySelectorAll('input:checked')].map((b) => b.value);
        setText(setResidencyAllow(textarea.value, rule.zone, allow));
      });
      label.append(box, ` ${j}`);
      boxes.append(label);
    }
    const whenLabel = element('label', 'when-none');
    const select = element('select');
    for (const option of WHEN_NONE_HEALTHY) {
      const o = element('option', null, option);
      o.value = option;
      select.append(o);
    }
    select.value = rule.whenNoneHealthy || 'serve-unhealthy';
    select.addEventListener('change', () => {
      setText(setWhenNoneHealthy(textarea.value, rule.zone, select.value));
    });
    whenLabel.append(element('span', null, 'When none is healthy'), select);
    fieldset.append(boxes, whenLabel);
    return fieldset;
  }

  /** Shows the applied policy as the text to edit. */
  function adopt(service) {
    serverYaml = service.yaml;
    seenVersion = service.policyVersion;
    meta.textContent = `${service.hostname} · policy version ${service.policyVersion}`;
    textarea.value = serverYaml;
    shownLines = 0;
    changedAway.hidden = true;
    renderGutter(new Map());
    renderForm();
    updateApply();
    return check();
  }

  /**
   * Loads the applied policy: on the stream's hello and whenever a service changes. Unchanged
   * text follows the server; edited text is kept, with a note that the applied policy moved on.
   */
  async function load() {
    const service = await get(servicePath);
    if (stopped) {
      return false;
    }
    if (serverYaml === null) {
      const draft = sessionStorage.getItem(draftKey);
      notice.hidden = !(draft && draft !== service.yaml);
      if (draft === service.yaml) {
        sessionStorage.removeItem(draftKey);
      }
      await adopt(service);
      return true;
    } else if (service.yaml !== serverYaml) {
      if (!dirty() || textarea.value === service.yaml) {
        await adopt(service);
        return true;
      } else {
        serverYaml = service.yaml;
        seenVersion = service.policyVersion;
        meta.textContent = `${service.hostname} · policy version ${service.policyVersion}`;
        changedAway.textContent = `The applied policy changed (now version ${service.policyVersion}) while you `
          + 'were editing; Apply would replace it with your text.';
        changedAway.hidden = false;
        updateApply();
        await check();
        return true;
      }
    }
    return false;
  }

  /** A new plan changes what the dry run compares with: check again unless a load just did. */
  async function reload(names) {
    const checkedAgain = names.includes('service') && await load();
    if (names.includes('plan') && !checkedAgain && serverYaml !== null && !stopped) {
      await check();
    }
  }

  notice.querySelector('.restore').addEventListener('click', () => {
    notice.hidden = true;
    textarea.value = sessionStorage.getItem(draftKey) || textarea.value;
    textChanged({ fromForm: false });
    textarea.focus();
  });
  notice.querySelector('.discard').addEventListener('click', () => {
    notice.hidden = true;
    sessionStorage.removeItem(draftKey);
    textarea.focus();
  });

  textarea.addEventListener('input', () => textChanged({ fromForm: false }));
  textarea.addEventListener('scroll', () => { gutter.scrollTop = textarea.scrollTop; });
  // Tab indents; Escape releases the next Tab so the keyboard can leave the editor.
  let released = false;
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      released = true;
      return;
    }
    if (event.key === 'Tab' && !released && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      textarea.setRangeText('  ', textarea.selectionStart, textarea.selectionEnd, 'end');
      textChanged({ fromForm: false });
      return;
    }
    released = false;
  });
  textarea.addEventListener('blur', () => { released = false; });

  if (applyButton) {
    applyButton.addEventListener('click', async () => {
      const text = textarea.value;
      const reason = await askReason(`Apply the policy of ${name}`, 'Apply');
      if (!reason || stopped) {
        return;
      }
      applyButton.disabled = true;
      applyError.hidden = true;
      try {
        const outcome = await request('PUT',
          `${servicePath}?reason=${encodeURIComponent(reason)}&ifPolicyVersion=${seenVersion}`, text, YAML);
        sessionStorage.removeItem(draftKey);
        await adopt(await get(servicePath));
        applied.textContent = `Applied as policy version ${outcome.policyVersion}`;
      } catch (e) {
        applyError.textContent = `Not applied: ${e.message}`;
        applyError.hidden = false;
        if (e instanceof ApiError && e.status === 401) {
          fail(e);
        }
        updateApply();
      }
    });
  }

  function warnBeforeUnload(event) {
    if (dirty()) {
      event.preventDefault();
      event.returnValue = '';
    }
  }
  window.addEventListener('beforeunload', warnBeforeUnload);

  const stopWatching = watch({ hello: ['service', 'plan'], service: ['service'], plan: ['plan'] }, reload,
    { badge: live, fail });

  return () => {
    stopped = true;
    stopWatching();
    clearTimeout(checkTimer);
    window.removeEventListener('beforeunload', warnBeforeUnload);
    // Navigation cannot be cancelled from here; the draft stays in sessionStorage and the page
    // offers it again when this service is opened in this tab.
    if (dirty()) {
      sessionStorage.setItem(draftKey, textarea.value);
    }
  };
}
