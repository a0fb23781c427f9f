// A modal confirmation (<dialog>): says what will happen, may ask for a
// typed value, runs the action, and shows the server's refusal in its own
// words without closing. Esc or "Cancel" closes it and nothing is sent.
import {h} from './dom.js';

let counter = 0;

// Options: title, body (nodes), confirmLabel, danger, fields (nodes: inputs
// the body reads), ready() (true when the confirm button may be pressed),
// action() (async; its result goes to done()), done(result).
export function confirmDialog(opts) {
  const id = `dialog-${++counter}`;
  const alert = h('div', {class: 'dialog-error', role: 'alert'});
  const confirm = h('button', {type: 'submit', class: opts.danger ? 'danger' : 'primary'},
      opts.confirmLabel);
  const cancel = h('button', {type: 'button'}, 'Cancel');
  const form = h('form', {method: 'dialog'},
      h('h2', {id: `${id}-title`}, opts.title),
      h('div', {class: 'dialog-body'}, opts.body),
      opts.fields || null,
      alert,
      h('div', {class: 'dialog-buttons'}, cancel, confirm));
  const dialog = h('dialog', {'aria-labelledby': `${id}-title`}, form);
  const update = () => {
    confirm.disabled = opts.ready ? !opts.ready() : false;
  };
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (opts.ready && !opts.ready()) return;
    confirm.disabled = true;
    alert.textContent = '';
    try {
      const result = await opts.action();
      dialog.close();
      if (opts.done) opts.done(result);
    } catch (err) {
      alert.textContent = err.message;
      if (opts.failed) opts.failed(err, dialog);
      update();
    }
  });
  document.body.appendChild(dialog);
  update();
  dialog.showModal();
  return dialog;
}

// A labelled form control: label(text, control).
export function field(text, control, hint) {
  const id = control.id || `f-${++counter}`;
  control.id = id;
  return h('div', {class: 'field'}, h('label', {for: id}, text), control,
      hint ? h('div', {class: 'hint'}, hint) : null);
}

// Re-renders the screen on show (after an action changed something).
export function refresh() {
  window.dispatchEvent(new Event('rotor:refresh'));
}
