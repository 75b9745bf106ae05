// The sign-in page (index.html) as a shell over the client core (js/core-shell.js): sign-up,
// sign-in with a typed username or any passkey of the site, and passkey autofill. The core
// decides and words everything; this file shows its view where the page has room for it and
// passes the person's intents on.

import { autofillAvailable, markReady, startCore } from './core-shell.js';
import { afterSignInPath } from './ui.js';

const form = document.getElementById('signin-form');
const field = document.getElementById('username');
const status = document.getElementById('status');
const errors = {
  field: document.getElementById('username-error'),
  signin: document.getElementById('signin-error'),
  signup: document.getElementById('signup-error'),
};
// Problems with what was typed are shown at the field; others under the button that was used.
const fieldProblems = new Set(['username_taken', 'invalid_username', 'email_required', 'invalid_email']);
const autofill = autofillAvailable();

let core = null;
let trigger = null; // the button the person used last
let shownProblem = null;
let acted = false;
let leaving = false;

function render(view, shell) {
  status.textContent = view.progress ?? '';
  const place = fieldProblems.has(view.problemCode) ? 'field' : trigger?.id === 'signup' ? 'signup' : 'signin';
  for (const [name, element] of Object.entries(errors)) element.textContent = name === place ? view.problem ?? '' : '';
  if (place === 'field' && view.problem) field.setAttribute('aria-invalid', 'true');
  else field.removeAttribute('aria-invalid');
  const busy = leaving || !view.canStart;
  form.setAttribute('aria-busy', String(busy));
  for (const button of form.querySelectorAll('button')) button.disabled = busy;
  const problemChanged = view.problem !== shownProblem;
  shownProblem = view.problem;
  if (!busy && problemChanged && place === 'field' && view.problem) field.focus();
  else if (!busy && (!document.activeElement || document.activeElement === document.body)) trigger?.focus();

  if (view.screen === 'signedIn' && view.canStart && !leaving) leave(shell);
  if (view.screen === 'signedOut') markReady();
  if (view.offersAutofill) autofill.then((available) => { if (available) shell.send({ event: 'startAutofill' }); });
}

// Signed in: the account lives on another page. The signals the core asked for go out first.
async function leave(shell) {
  leaving = true;
  await shell.settleSignals();
  if (acted) window.location.assign(afterSignInPath());
  else window.location.replace(afterSignInPath());
}

function intent(button, message) {
  if (!core) return;
  trigger = button;
  acted = true;
  core.send(message);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  // A typed username lets the server name that account's passkeys, so ones that are not
  // discoverable (many security keys) can answer too; an empty field means any passkey.
  intent(document.getElementById('signin'), { event: 'signIn', username: field.value.trim() });
});
document.getElementById('signup').addEventListener('click', (event) => {
  intent(event.currentTarget, { event: 'signUp', username: field.value.trim(), email: true });
});
field.addEventListener('input', () => {
  field.removeAttribute('aria-invalid');
  errors.field.textContent = '';
});
// OIDC login_hint: the application's guess at the username.
const hint = new URLSearchParams(window.location.search).get('login_hint');
if (hint && !field.value) field.value = hint.slice(0, 64);

// A page restored from the back/forward cache has no pending request: start afresh.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) window.location.reload();
});

core = await startCore({ render });
