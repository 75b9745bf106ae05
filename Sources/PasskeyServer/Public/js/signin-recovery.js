// "Lost your passkey?": an emailed code opens a recovery session that can add a
// new passkey (docs/recovery.md). The mail's link (/#recover=CODE&email=…)
// fills the code in; the code stays in the fragment, never sent in a URL.

import { api } from './api.js';
import { describeError, setBusy, showMessage } from './ui.js';

const section = document.getElementById('recovery');
const requestForm = document.getElementById('recovery-request');
const redeemForm = document.getElementById('recovery-redeem');
const email = document.getElementById('recovery-email');
const code = document.getElementById('recovery-code');
const status = document.getElementById('recovery-status');
const error = document.getElementById('recovery-error');

function open() {
  section.hidden = false;
  const typed = document.getElementById('username').value.trim();
  if (!email.value && typed) email.value = typed;
  email.focus();
}

async function requestCode(event) {
  event.preventDefault();
  showMessage(error, '');
  if (!email.value.trim() || !email.validity.valid) {
    showMessage(error, 'Enter the email address of your account.');
    return;
  }
  setBusy(requestForm, true);
  try {
    await api.post('/api/recovery/options', { email: email.value.trim() });
    redeemForm.hidden = false;
    showMessage(status, 'If an account has this address, a code is on its way. It is valid for a few minutes.');
    code.focus();
  } catch (failure) {
    showMessage(error, describeError(failure, 'recovery'));
  } finally {
    setBusy(requestForm, false);
  }
}

async function redeem(event) {
  event?.preventDefault();
  showMessage(error, '');
  setBusy(redeemForm, true);
  try {
    await api.post('/api/recovery', { email: email.value.trim(), code: code.value.trim() });
    showMessage(status, 'Code accepted. Now create a new passkey…');
    window.location.assign('/account');
  } catch (failure) {
    setBusy(redeemForm, false);
    showMessage(error, failure.code === 'invalid_code'
      ? 'This code is wrong, used or expired. Check the mail, or ask for a new code.'
      : describeError(failure, 'recovery'));
    code.focus();
  }
}

function fromLink() {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const linkCode = fragment.get('recover');
  if (!linkCode) return;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  open();
  email.value = fragment.get('email') ?? '';
  code.value = linkCode;
  redeemForm.hidden = false;
  if (email.value) redeem();
}

document.getElementById('lost-passkey').addEventListener('click', open);
requestForm.addEventListener('submit', requestCode);
redeemForm.addEventListener('submit', redeem);
window.addEventListener('hashchange', fromLink);
fromLink();
