// The sign-in page (index.html) as a shell over the client core (js/core-shell.js): sign-up,
// sign-in with a typed username or any passkey of the site, passkey autofill, the password of an
// imported account (docs/migration.md) and the mailed recovery code (docs/recovery.md). The core
// decides and words everything; this file shows its view where the page has room for it and
// passes the person's intents on.

import { autofillAvailable, markReady, startCore } from './core-shell.js';

const $ = (id) => document.getElementById(id);
const field = $('username');
const password = $('password');
const email = $('recovery-email');
const code = $('recovery-code');
// Problems with what was typed are shown at the field; others under the button that was used,
// and a recovery step's progress in the recovery block.
const fieldProblems = new Set(['username_taken', 'invalid_username', 'email_required', 'invalid_email']);
const errorAt = { signin: 'signin-error', signup: 'signup-error', 'password-signin': 'password-error' };
const autofill = autofillAvailable();
// The recovery mail's link, /#recover=CODE&email=…&proof=…: the code stays in the fragment, never
// in a URL sent. It fills the form in and waits for the person's Continue: a link from anyone else
// (for an account of theirs) must not sign this browser in unasked. The proof goes with that code
// and address only, and lets the code through however many wrong codes others typed.
const link = new URLSearchParams(window.location.hash.slice(1));
let linkCode = link.get('recover');
const fromLink = linkCode && { code: linkCode, email: link.get('email') ?? '', proof: link.get('proof') ?? undefined };
if (linkCode) history.replaceState(null, '', window.location.pathname + window.location.search);
const linkProof = () => (code.value.replace(/[\s-]/g, '') === fromLink?.code && email.value.trim() === fromLink.email ? fromLink.proof : undefined);

let core = null;
let trigger = null; // the id of the button the person used last, once they used one
let shown = { problem: null, codeSent: false };
let leaving = false;

function render(view, shell) {
  const recovering = trigger?.startsWith('recovery');
  const place = recovering ? 'recovery-error' : fieldProblems.has(view.problemCode) ? 'username-error' : errorAt[trigger ?? 'signin'];
  for (const error of document.querySelectorAll('main .error:not(#core-error)')) error.textContent = error.id === place ? view.problem ?? '' : '';
  $('status').textContent = recovering ? '' : view.progress ?? '';
  $('recovery-status').textContent = (recovering ? view.progress : null) ?? view.notice ?? '';
  if (place === 'username-error' && view.problem) field.setAttribute('aria-invalid', 'true');
  else field.removeAttribute('aria-invalid');
  $('recovery').hidden &&= !view.codeSent;
  $('recovery-redeem').hidden = !view.codeSent && !fromLink;
  const busy = leaving || !view.canStart;
  for (const part of [$('signin-form'), $('recovery')]) part.setAttribute('aria-busy', String(busy));
  for (const button of document.querySelectorAll('main button')) button.disabled = busy;
  const input = view.problem && { 'username-error': field, 'password-error': password, 'recovery-error': view.codeSent ? code : email }[place];
  if (!busy && input && view.problem !== shown.problem) input.focus();
  else if (!busy && view.codeSent && !shown.codeSent) code.focus();
  else if (!busy && (!document.activeElement || document.activeElement === document.body)) $(trigger)?.focus();
  shown = { problem: view.problem, codeSent: view.codeSent };

  if (view.screen === 'signedIn' && view.canStart && !leaving) leave(shell, view.destination);
  if (view.screen !== 'signedOut') return;
  markReady();
  if (view.offersAutofill) autofill.then((available) => { if (available) shell.send({ event: 'startAutofill' }); });
  if (linkCode && view.canStart) {
    $('recovery').hidden = false;
    [email.value, code.value, linkCode] = [fromLink.email, linkCode, null];
    $('recovery-submit').focus();
  }
}

// Signed in: on to the page the core names (the account, or a safe `?next=`). The signals the
// core asked for go out first.
async function leave(shell, destination) {
  leaving = true;
  password.value = '';
  await shell.settleSignals();
  window.location[trigger ? 'assign' : 'replace'](destination);
}

function intent(button, message, shell = core) {
  trigger = shell ? button : trigger;
  shell?.send(message);
}

// Each way in: the element, its event, the button it counts as, and the message for the core.
const on = (id, type, button, message) => $(id).addEventListener(type, (event) => {
  event.preventDefault();
  intent(button, message());
});
// A typed username lets the server name that account's passkeys, so ones that are not
// discoverable (many security keys) can answer too; an empty field means any passkey.
on('signin-form', 'submit', 'signin', () => ({ event: 'signIn', username: field.value.trim() }));
on('signup', 'click', 'signup', () => ({ event: 'signUp', username: field.value.trim(), email: true }));
on('password-signin', 'click', 'password-signin', () => ({ event: 'signInWithPassword', username: field.value.trim(), password: password.value }));
on('recovery-request', 'submit', 'recovery-send', () => ({ event: 'requestRecoveryCode', email: email.value.trim() }));
on('recovery-redeem', 'submit', 'recovery-submit', () => ({ event: 'redeemRecoveryCode', email: email.value.trim(), code: code.value, proof: linkProof() }));
// Enter in the password field means this sign-in, not the passkey one.
password.addEventListener('keydown', (event) => event.key === 'Enter' && (event.preventDefault(), $('password-signin').click()));
field.addEventListener('input', () => { field.removeAttribute('aria-invalid'); $('username-error').textContent = ''; });
$('lost-passkey').addEventListener('click', () => ($('recovery').hidden = false, email.value ||= field.value.trim(), email.focus()));
// OIDC login_hint: the application's guess at the username.
const hint = new URLSearchParams(window.location.search).get('login_hint');
if (hint && !field.value) field.value = hint.slice(0, 64);
// A new recovery link for an open page, and a page restored from the back/forward cache: start afresh.
window.addEventListener('hashchange', () => window.location.reload());
window.addEventListener('pageshow', (event) => event.persisted && window.location.reload());

core = await startCore({ render });
