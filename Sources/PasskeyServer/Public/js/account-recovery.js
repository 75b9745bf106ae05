// The account page's block for recovery, email verification and imported
// passwords (docs/recovery.md, docs/migration.md):
// - a recovery session (opened with an emailed code) is asked to create a new passkey;
// - right after a password sign-in, the automatic passkey upgrade (a conditional
//   create) runs in the background, and "Create a passkey" is the way when it does not;
// - an unverified address gets a code field (and, sent here by forward-auth with
//   `?next=`, goes on to the app once confirmed); "Remove password" once a passkey exists.

import { api } from './api.js';
import { createCredential, creationOptionsFromJSON, credentialToJSON } from './webauthn.js';
import { afterSignInPath, describeError, setBusy, showMessage } from './ui.js';

const upgradeKey = 'passkeys.upgrade';
const pageStatus = document.getElementById('status');
const upgrade = document.getElementById('upgrade');
const createButton = document.getElementById('create-passkey');
const upgradeError = document.getElementById('upgrade-error');
const verify = document.getElementById('verify-email');
const verifyForm = document.getElementById('verify-form');
const verifyCode = document.getElementById('verify-code');
const verifyStatus = document.getElementById('verify-status');
const verifyError = document.getElementById('verify-error');
const passwordPanel = document.getElementById('password-panel');
const passwordStatus = document.getElementById('password-status');
const passwordError = document.getElementById('password-error');

let session = null;
let passkeyCount = 0;
let conditional = null; // { controller, done } while a conditional create is pending

async function refresh() {
  session = await api.get('/api/session');
  const { passkeys } = await api.get('/api/passkeys');
  passkeyCount = passkeys.length;
  upgrade.hidden = !(session.recovery || passkeyCount === 0);
  if (session.recovery) {
    document.getElementById('upgrade-heading').textContent = 'Create a new passkey';
    document.getElementById('upgrade-text').textContent = 'You signed in with a recovery code. Create a new passkey '
      + 'on this device to finish; then you can delete the passkey you lost below.';
    createButton.textContent = 'Create a new passkey';
  }
  verify.hidden = session.recovery || session.user.emailVerified;
  passwordPanel.hidden = session.recovery || !session.hasPassword || passkeyCount === 0;
}

function passkeyAdded(passkey, how) {
  showMessage(pageStatus, `${how} “${passkey.name}”. Next time, sign in with it.`);
  document.dispatchEvent(new CustomEvent('passkeys:changed'));
  return refresh();
}

// WebAuthn L3 conditional create: the browser may create a passkey without asking
// right after a password sign-in. It may never settle (Chromium answers only for its
// own password manager), so nothing waits for it; "Create a passkey" aborts it first.
async function startConditionalCreate() {
  const capabilities = await PublicKeyCredential.getClientCapabilities?.().catch(() => ({})) ?? {};
  if (!capabilities.conditionalCreate) return;
  const controller = new AbortController();
  const done = (async () => {
    const { publicKey } = await api.post('/api/passkeys/options', { mediation: 'conditional' });
    const credential = await navigator.credentials.create({
      publicKey: creationOptionsFromJSON(publicKey), mediation: 'conditional', signal: controller.signal,
    });
    if (!credential || controller.signal.aborted) return;
    const { passkey } = await api.post('/api/passkeys', credentialToJSON(credential));
    await passkeyAdded(passkey, 'Your browser created the passkey');
  })().catch(() => {
    // Declined, timed out or aborted: the "Create a passkey" button stays.
  }).finally(() => {
    if (conditional?.controller === controller) conditional = null;
  });
  conditional = { controller, done };
}

async function stopConditionalCreate() {
  const pending = conditional;
  if (!pending) return;
  pending.controller.abort();
  // A pending conditional create makes a modal create() fail ("A request is already pending").
  await pending.done;
}

async function createPasskey() {
  showMessage(upgradeError, '');
  setBusy(upgrade, true);
  await stopConditionalCreate();
  showMessage(pageStatus, 'Waiting for your new passkey…');
  try {
    const { publicKey } = await api.post('/api/passkeys/options', {});
    const credential = await createCredential(publicKey);
    const { passkey } = await api.post('/api/passkeys', credential);
    await passkeyAdded(passkey, 'Added the passkey');
  } catch (failure) {
    showMessage(pageStatus, '');
    showMessage(upgradeError, describeError(failure, 'create'));
  } finally {
    setBusy(upgrade, false);
  }
}

async function confirmEmail(event) {
  event?.preventDefault();
  showMessage(verifyError, '');
  setBusy(verifyForm, true);
  try {
    await api.post('/api/email/verify', { code: verifyCode.value.trim() });
    // Forward-auth sends an unconfirmed account here with the app's URL in `next`.
    if (new URLSearchParams(window.location.search).has('next')) {
      window.location.assign(afterSignInPath());
      return;
    }
    showMessage(pageStatus, 'Your email address is confirmed.');
    await refresh();
  } catch (failure) {
    showMessage(verifyError, failure.code === 'invalid_code'
      ? 'This code is wrong or expired. Check the mail, or send a new code.'
      : describeError(failure, 'verify'));
  } finally {
    setBusy(verifyForm, false);
  }
}

async function resendCode() {
  showMessage(verifyError, '');
  try {
    await api.post('/api/email/verify/resend', {});
    showMessage(verifyStatus, 'A new code is on its way.');
  } catch (failure) {
    showMessage(verifyError, describeError(failure, 'verify'));
  }
}

async function removePassword() {
  showMessage(passwordError, '');
  setBusy(passwordPanel, true);
  try {
    await api.delete('/api/password');
    showMessage(pageStatus, 'Your password is removed. You sign in with your passkeys now.');
    await refresh();
  } catch (failure) {
    showMessage(passwordError, failure.code === 'no_passkey'
      ? 'Create a passkey first: without one you could not sign in.'
      : describeError(failure, 'password'));
  } finally {
    setBusy(passwordPanel, false);
  }
}

// The verification mail's link: /account#verify=CODE.
async function fromVerifyLink() {
  const linkCode = new URLSearchParams(window.location.hash.slice(1)).get('verify');
  if (!linkCode) return;
  history.replaceState(null, '', window.location.pathname);
  if (verify.hidden) return;
  verifyCode.value = linkCode;
  await confirmEmail();
}

async function start() {
  try {
    await refresh();
  } catch {
    return; // account.js sends a signed-out visitor to the sign-in page
  }
  createButton.addEventListener('click', createPasskey);
  verifyForm.addEventListener('submit', confirmEmail);
  document.getElementById('verify-resend').addEventListener('click', resendCode);
  document.getElementById('remove-password').addEventListener('click', removePassword);
  // The account page's own "Add a passkey" must not meet a pending conditional create.
  document.getElementById('add-passkey').addEventListener('click', () => { conditional?.controller.abort(); }, true);

  window.addEventListener('hashchange', fromVerifyLink);
  await fromVerifyLink();
  const upgradeAsked = sessionStorage.getItem(upgradeKey) === '1';
  sessionStorage.removeItem(upgradeKey);
  if (upgradeAsked && !session.recovery && passkeyCount === 0) await startConditionalCreate();
}

start();
