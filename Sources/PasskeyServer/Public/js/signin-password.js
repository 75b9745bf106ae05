// Password sign-in for accounts imported with a password (docs/migration.md).
// The password field sits next to the username field so the browser's password
// manager fills both; after signing in, the account page offers the passkey upgrade.

import { api } from './api.js';
import { describeError, setBusy, showMessage } from './ui.js';

const form = document.getElementById('signin-form');
const username = document.getElementById('username');
const password = document.getElementById('password');
const button = document.getElementById('password-signin');
const error = document.getElementById('password-error');
const status = document.getElementById('status');

async function signInWithPassword() {
  showMessage(error, '');
  if (!username.value.trim() || !password.value) {
    showMessage(error, 'Type your email and password, or sign in with a passkey.');
    return;
  }
  setBusy(form, true);
  showMessage(status, 'Signing in…');
  try {
    await api.post('/api/password', { username: username.value.trim(), password: password.value });
    password.value = '';
    showMessage(status, 'Signed in. One moment…');
    window.location.assign('/account');
  } catch (failure) {
    showMessage(status, '');
    setBusy(form, false);
    showMessage(error, failure.code === 'invalid_credentials'
      ? 'The email or password is wrong.'
      : describeError(failure, 'sign-in'));
    password.focus();
  }
}

button.addEventListener('click', signInWithPassword);
// Enter in the password field means this sign-in, not the passkey one.
password.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return;
  event.preventDefault();
  event.stopPropagation();
  signInWithPassword();
});
