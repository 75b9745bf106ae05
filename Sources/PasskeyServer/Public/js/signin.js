// The sign-in / sign-up page. Passkey autofill runs whenever no other
// ceremony does; the buttons abort it before starting their own request.

import { api } from './api.js';
import {
  createCredential, getCredential, isAutofillAvailable,
  signalAllAcceptedCredentials, signalCurrentUserDetails, signalUnknownCredential,
} from './webauthn.js';
import { afterSignInPath, describeError, restoreFocus, setBusy, showMessage } from './ui.js';

const form = document.getElementById('signin-form');
const field = document.getElementById('username');
const fieldError = document.getElementById('username-error');
const signInError = document.getElementById('signin-error');
const signUpError = document.getElementById('signup-error');
const status = document.getElementById('status');

const fieldErrorCodes = new Set(['username_taken', 'invalid_username']);

let autofill = null; // { controller, done } while a conditional request is pending
let busy = false;
let leaving = false;

function clearMessages() {
  for (const element of [fieldError, signInError, signUpError, status]) showMessage(element, '');
  field.removeAttribute('aria-invalid');
}

function report(error, action, element) {
  const message = describeError(error, action);
  if (!message) return;
  if (fieldErrorCodes.has(error?.code)) {
    field.setAttribute('aria-invalid', 'true');
    showMessage(fieldError, message);
  } else {
    showMessage(element, message);
  }
}

// After sign-in the provider learns which of its passkeys the account still
// holds and the current names, so it can drop or relabel stale ones.
async function keepProviderInStep(user, rpId) {
  await signalCurrentUserDetails({
    rpId, userId: user.id, name: user.username, displayName: user.displayName,
  });
  try {
    const { passkeys } = await api.get('/api/passkeys');
    await signalAllAcceptedCredentials({
      rpId, userId: user.id, allAcceptedCredentialIds: passkeys.map((passkey) => passkey.id),
    });
  } catch {
    // The list is only needed for the signal; signing in has already worked.
  }
}

async function finishSignIn(credential, publicKey) {
  let answer;
  try {
    answer = await api.post('/api/authentication', credential);
  } catch (error) {
    if (error.code === 'unknown_credential') {
      await signalUnknownCredential({
        rpId: error.details.rpId ?? publicKey.rpId ?? window.location.hostname,
        credentialId: error.details.credentialId ?? credential.id,
      });
    }
    throw error;
  }
  leaving = true;
  showMessage(status, 'Signed in. One moment…');
  await keepProviderInStep(answer.user, answer.rpId ?? publicKey.rpId ?? window.location.hostname);
  window.location.assign(afterSignInPath());
}

function startAutofill() {
  if (autofill || busy || leaving) return;
  const controller = new AbortController();
  let picked = false;
  const done = (async () => {
    if (!(await isAutofillAvailable())) return;
    const { publicKey } = await api.post('/api/authentication/options', {});
    if (controller.signal.aborted) return;
    const credential = await getCredential(publicKey, { mediation: 'conditional', signal: controller.signal });
    if (!credential || controller.signal.aborted) return;
    // The person picked a passkey from the field's suggestions.
    picked = true;
    busy = true;
    clearMessages();
    setBusy(form, true);
    showMessage(status, 'Signing in…');
    await finishSignIn(credential, publicKey);
  })().catch((error) => {
    // Before a pick, autofill runs in the background: a failure there (say, the
    // network) is not the person's doing, and their next action reports it.
    if (picked && !controller.signal.aborted) {
      showMessage(status, '');
      report(error, 'sign-in', fieldError);
    }
  }).finally(() => {
    if (autofill?.controller === controller) autofill = null;
    if (picked && !leaving) {
      busy = false;
      setBusy(form, false);
      startAutofill();
    }
  });
  autofill = { controller, done };
}

async function stopAutofill() {
  const pending = autofill;
  if (!pending) return;
  pending.controller.abort();
  // The browser allows one request at a time: wait until this one has ended.
  await pending.done;
}

async function runCeremony(action, trigger, errorElement, ceremony) {
  if (busy || leaving) return;
  busy = true;
  clearMessages();
  setBusy(form, true);
  await stopAutofill();
  showMessage(status, 'Waiting for your passkey…');
  let focusAfter = trigger;
  try {
    await ceremony();
  } catch (error) {
    showMessage(status, '');
    report(error, action, errorElement);
    if (fieldErrorCodes.has(error?.code)) focusAfter = field;
  } finally {
    if (!leaving) {
      busy = false;
      setBusy(form, false);
      restoreFocus(focusAfter);
      startAutofill();
    }
  }
}

function signIn(event) {
  event.preventDefault();
  runCeremony('sign-in', document.getElementById('signin'), signInError, async () => {
    // A typed username lets the server list that account's passkeys, so
    // ones that are not discoverable (many security keys) can answer too.
    const username = field.value.trim();
    const { publicKey } = await api.post('/api/authentication/options', username ? { username } : {});
    const credential = await getCredential(publicKey);
    await finishSignIn(credential, publicKey);
  });
}

function createAccount() {
  const username = field.value.trim();
  clearMessages();
  if (!username || !field.validity.valid) {
    field.setAttribute('aria-invalid', 'true');
    showMessage(fieldError, username
      ? 'Enter a valid email address, like ada@example.com.'
      : 'Type your email first, then choose Create account.');
    field.focus();
    return;
  }
  runCeremony('create', document.getElementById('signup'), signUpError, async () => {
    const { publicKey } = await api.post('/api/registration/options', { username, displayName: username });
    const credential = await createCredential(publicKey);
    await api.post('/api/registration', credential);
    leaving = true;
    showMessage(status, 'Account created. One moment…');
    window.location.assign(afterSignInPath());
  });
}

async function start() {
  if (typeof window.PublicKeyCredential !== 'function') {
    showMessage(status, 'This browser does not support passkeys, so you cannot sign in with it.');
    setBusy(form, true);
    return;
  }
  form.addEventListener('submit', signIn);
  document.getElementById('signup').addEventListener('click', createAccount);
  field.addEventListener('input', () => {
    field.removeAttribute('aria-invalid');
    showMessage(fieldError, '');
  });
  const params = new URLSearchParams(window.location.search);
  // OIDC login_hint: the application's guess at the username.
  const hint = params.get('login_hint');
  if (hint && !field.value) field.value = hint.slice(0, 64);
  try {
    await api.get('/api/session');
    leaving = true;
    window.location.replace(afterSignInPath());
    return;
  } catch (error) {
    if (error.code !== 'unauthenticated') report(error, 'session', status);
  }
  startAutofill();
}

// A page restored from the back/forward cache has no pending request: start afresh.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) window.location.reload();
});

start();
