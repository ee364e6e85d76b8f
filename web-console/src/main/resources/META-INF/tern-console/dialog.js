// A modal form that asks why before anything is changed. Every write in Tern carries a reason for
// the audit log; the dialog will not submit without one. Escape or Cancel resolves null.

import { element } from './dom.js';

/**
 * Asks for a reason: title says what is about to happen, action names the confirming button.
 * Resolves the trimmed reason, or null when cancelled.
 */
export function askReason(title, action) {
  return new Promise((resolve) => {
    const dialog = element('dialog', 'reason-dialog');
    const form = element('form');
    form.method = 'dialog';
    const heading = element('h2', null, title);
    const label = element('label', null, 'Reason (kept in the audit log)');
    const input = element('textarea');
    input.name = 'reason';
    input.required = true;
    input.rows = 3;
    label.append(input);
    const buttons = element('div', 'dialog-buttons');
    const cancel = element('button', 'secondary', 'Cancel');
    cancel.type = 'button';
    cancel.value = 'cancel';
    const confirm = element('button', null, action);
    confirm.type = 'submit';
    confirm.value = 'confirm';
    buttons.append(cancel, confirm);
    form.append(heading, label, buttons);
    dialog.append(form);
    document.body.append(dialog);

    let answer = null;
    form.addEventListener('submit', (event) => {
      const reason = input.value.trim();
      if (!reason) {
        event.preventDefault();
        input.setCustomValidity('Say why: the audit log keeps the reason.');
        input.reportValidity();
        return;
      }
      answer = reason;
    });
    input.addEventListener('input', () => input.setCustomValidity(''));
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    dialog.showModal();
    input.focus();
  });
}
